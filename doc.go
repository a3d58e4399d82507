// Package expertdb implements the Wenzhou Science and Technology Expert Database Management
// Measures (温州市科技专家库管理办法, 温科发〔2024〕2号, in force 2024-03-27) for Go systems
// that manage the expert database and draw review panels from it.
//
// Articles and packages:
//
//	Art. 5, 6, 8, 10, 11, 14(3)  admission   who may enter, channels, exits, training
//	Art. 15                      conflict    recusal
//	Art. 9, 25, 26               evaluation  ratings, yearly summaries, integrity file
//	Art. 12–14, 28               selection   verifiable draw, preferential picks, campaigns
//	Art. 16–22                   audit       tamper-evident log, permissions, de-identification
//	Art. 13                      expertdb    county policy (Policy) and the Service façade
//
// The four domain packages are pure: time, randomness and data come in as arguments. This
// root package wires storage, the audit log and permissions around them.
package expertdb
