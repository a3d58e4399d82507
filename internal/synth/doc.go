// Package synth generates a deterministic synthetic expert database for demonstrations,
// tests and benchmarks: about 2,000 realistic but fictional experts of Wenzhou units, applying
// through every channel of Art. 6 of the Wenzhou Science and Technology Expert Database
// Management Measures (温州市科技专家库管理办法, 温科发〔2024〕2号), with a year of rated activities
// behind them.
//
// # What is generated
//
//   - People: Chinese names (surname weighted by frequency in Wenzhou, about one in eighty a
//     compound surname 复姓 such as 欧阳 or 司马, given names of one or two characters), a
//     resident ID number with a correct GB 11643-1999 check character whose birth date is the
//     expert's, and a mainland mobile number. ID numbers and mobiles are unique within a pool.
//     The names are combinations of common characters; any resemblance to a real person is a
//     coincidence.
//   - Units (Units): universities with departments (院系), research institutes, enterprises,
//     hospitals, public bodies and financial firms, each with a unified social credit code
//     carrying a correct GB 32100-2015 check character (admission.USCCCheckChar) and a real
//     Wenzhou region code (3303xx). Unit names are invented.
//   - Profiles: a title, one or more categories of Art. 5(2) with exactly the credentials that
//     qualify for them (technical experts by title or by a listed qualification; management,
//     strategy and economic experts by the items Art. 5(2) lists, economic experts always with
//     fund-management familiarity), the political-quality declaration of Art. 5(1)1, fields,
//     sometimes a former unit, a training (Art. 14(3)) or a minor integrity record.
//   - Applications: personal applications (stamped form, proofs, signed pledge), unit
//     recommendations, division invitations approved by the division leader and exchanges with
//     other databases, in proportions 55 : 25 : 10 : 10 (Art. 6).
//
// Every application is accepted by admission.Admit on the pool's AsOf date under
// admission.DefaultRules, and admitted to every category it claims; the package tests check
// this for the default pool and, by property, for arbitrary seeds.
//
// Around the pool: History gives a year of activities with participations and ratings (Art.
// 8(2), 25) whose excellent rates spread around the 30% threshold of preferential picks;
// Project gives a project under review whose leader and members work in units of the pool, so
// that a draw has conflicts to exclude (Art. 15); Relations gives interest relations between
// experts and project members (Art. 15(2)).
//
// # Determinism
//
// Generation is a pure function of Options: the same seed, size and date give the same pool
// on every platform. The package uses its own SplitMix64 generator with independent streams
// per expert and per purpose (never math/rand, no global state), so the first k experts of a
// larger pool are the pool of size k.
package synth
