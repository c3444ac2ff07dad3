package workforce

// The fixtures, for the tests in package workforce_test: those test the service over
// memstore, which imports this package, so they cannot be inside it.
var (
	ValidValues  = validValues
	TestRegister = testRegister
)
