package sheetref

import "testing"

func TestMinimal(t *testing.T) {
	for in, want := range map[string]string{
		"Return": "Return", "Return_2025": "Return_2025", "My Sheet": "'My Sheet'", "O'Brien": "'O''Brien'",
		"2025": "'2025'", "A1": "'A1'", "Q1-2025": "'Q1-2025'",
	} {
		if got := Minimal(in); got != want {
			t.Errorf("Minimal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"Share": "'Share'", "DDaT share": "'DDaT share'", "O'Brien": "'O''Brien'"} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}
