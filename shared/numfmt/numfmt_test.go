package numfmt

import "testing"

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1250: "1,250", -1234567: "-1,234,567", 100000: "100,000"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDecimal(t *testing.T) {
	for in, want := range map[string]string{"1234.50": "1,234.50", "-0.5": "-0.5", "1234567.0": "1,234,567.0", "12": "12", "[x]": "[x]", "NaN": "NaN", "1e6": "1e6", "": ""} {
		if got := Decimal(in); got != want {
			t.Errorf("Decimal(%q) = %q, want %q", in, got, want)
		}
	}
}
