// Package admission decides who may enter the expert database and keeps them in it: the
// expert profile, its validation, the basic and professional conditions of Art. 5, the
// entry channels of Art. 6, the duties of Art. 8 (current profiles, training of Art. 14(3))
// and the exits of Art. 10 and 11.
//
// The package is pure: no I/O, no clock. Dates come in as arguments.
package admission
