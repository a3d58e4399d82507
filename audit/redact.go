package audit

import (
	"slices"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// Redact returns the de-identified copy of an expert's profile that may be provided outside
// the database (exports, exchange, screens of users without personal-data access; Art. 20).
// The result shares no memory with e.
//
//   - Name, IDNumber and Mobile are masked (MaskName, MaskIDNumber, MaskMobile);
//   - BirthDate keeps the year only (1 January): the full date identifies a person, the
//     year is enough to see the age band;
//   - free-text details that may carry personal or confidential information are dropped:
//     Credential.Detail, Record.Detail, Record.Review.Reason, Exit.Note, Exit.Evidence,
//     Training.Note, Period.Reason;
//   - everything a draw, recusal check or statistic needs is kept: ID, unit and department,
//     past units, title, categories, fields, region, credential kinds and dates, record
//     kinds, dates and seriousness, status, exits, tags, trainings, entries (how and when
//     the expert was admitted, by whom), unavailable periods (without their reason).
//
// Redact is idempotent.
func Redact(e admission.Expert) admission.Expert {
	r := e
	r.Name = MaskName(e.Name)
	r.IDNumber = MaskIDNumber(e.IDNumber)
	r.Mobile = MaskMobile(e.Mobile)
	if !e.BirthDate.IsZero() {
		r.BirthDate = time.Date(e.BirthDate.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	r.Past = slices.Clone(e.Past)
	r.Categories = slices.Clone(e.Categories)
	r.Fields = slices.Clone(e.Fields)
	r.Tags = slices.Clone(e.Tags)
	r.Exits = slices.Clone(e.Exits)
	for i := range r.Exits {
		r.Exits[i].Note = ""
		r.Exits[i].Evidence = nil // document references of an exit for cause (issue 17)
	}
	r.Credentials = slices.Clone(e.Credentials)
	for i := range r.Credentials {
		r.Credentials[i].Detail = ""
	}
	r.Records = slices.Clone(e.Records)
	for i := range r.Records {
		r.Records[i].Detail = ""
		if rv := r.Records[i].Review; rv != nil { // the review's reasons may be personal (issue 17)
			r.Records[i].Review = &admission.RecordReview{Outcome: rv.Outcome, By: rv.By, At: rv.At}
		}
	}
	r.Entries = slices.Clone(e.Entries)
	r.Unavailable = slices.Clone(e.Unavailable)
	for i := range r.Unavailable {
		r.Unavailable[i].Reason = "" // leave, illness, travel: personal (Art. 7(2))
	}
	r.Trainings = slices.Clone(e.Trainings)
	for i := range r.Trainings {
		r.Trainings[i].Note = ""
	}
	return r
}
