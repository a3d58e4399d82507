package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// The draw encoding: every field of admission.Expert in declaration order, written without
// reflection and decoded without reflection, into strings that share one allocation per
// expert and slices cut from arenas shared by a whole snapshot. The full profile stays JSON
// (column data) for every other read; this form (column draw) exists for the cold load of a
// draw, where decoding 100k JSON documents costs most of the time.
//
//	expert  = version(1) digest(64 hex bytes) fields…
//	string  = uvarint(len) bytes
//	int     = varint
//	bool    = byte 0/1
//	time    = byte kind (0 zero, 1 UTC, 2 fixed offset) [varint unix seconds, uvarint nanos, (kind 2) varint offset seconds]
//	list    = uvarint(n) items…
//
// TestDrawCodecCoversExpert fails when admission.Expert (or one of its parts) gains a field
// this encoding does not write.
const drawCodecVersion = 1

type encoder struct{ b []byte }

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *encoder) int(v int) { e.b = binary.AppendVarint(e.b, int64(v)) }
func (e *encoder) n(v int)   { e.b = binary.AppendUvarint(e.b, uint64(v)) }
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	_, off := t.Zone()
	if t.Location() == time.UTC {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 2)
	}
	e.b = binary.AppendVarint(e.b, t.Unix())
	e.b = binary.AppendUvarint(e.b, uint64(t.Nanosecond()))
	if t.Location() != time.UTC {
		e.b = binary.AppendVarint(e.b, int64(off))
	}
}
func (e *encoder) aff(a admission.Affiliation) {
	e.str(a.Org)
	e.str(a.OrgCode)
	e.str(string(a.Kind))
	e.str(a.Department)
	e.str(a.Position)
	e.time(a.From)
	e.time(a.To)
}

// digestLen is the length of a profile digest (lowercase hex SHA-256).
const digestLen = 64

// encodeDraw appends the draw encoding of x, whose profile version has the given digest, to
// b. The digest travels in the encoding so that the cold load reads one column per expert.
func encodeDraw(b []byte, digest string, x *admission.Expert) []byte {
	if len(digest) != digestLen {
		panic("sqlstore: encodeDraw: digest of " + fmt.Sprint(len(digest)) + " bytes")
	}
	e := encoder{b: append(append(b, drawCodecVersion), digest...)}
	e.str(x.ID)
	e.str(x.Name)
	e.str(x.IDNumber)
	e.str(x.Mobile)
	e.time(x.BirthDate)
	e.int(x.RetirementAge)
	e.aff(x.Affiliation)
	e.n(len(x.Past))
	for _, a := range x.Past {
		e.aff(a)
	}
	e.int(int(x.Title))
	e.n(len(x.Categories))
	for _, c := range x.Categories {
		e.str(string(c))
	}
	e.n(len(x.Fields))
	for _, f := range x.Fields {
		e.str(f)
	}
	e.str(x.Region)
	e.n(len(x.Credentials))
	for _, c := range x.Credentials {
		e.str(c.Kind)
		e.str(c.Detail)
		e.time(c.Date)
	}
	e.n(len(x.Records))
	for _, r := range x.Records {
		e.str(r.Kind)
		e.str(r.Detail)
		e.time(r.Date)
		e.bool(r.Serious)
		e.str(r.Article)
		e.bool(r.Review != nil)
		if r.Review != nil {
			e.str(string(r.Review.Outcome))
			e.str(r.Review.By)
			e.time(r.Review.At)
			e.str(r.Review.Reason)
		}
	}
	e.str(string(x.Status))
	e.n(len(x.Exits))
	for _, r := range x.Exits {
		e.str(string(r.Reason))
		e.time(r.Date)
		e.str(r.Note)
		e.str(r.ApprovedBy)
		e.n(len(r.Evidence))
		for _, v := range r.Evidence {
			e.str(v)
		}
	}
	e.time(x.UpdatedAt)
	e.n(len(x.Tags))
	for _, t := range x.Tags {
		e.str(t)
	}
	e.n(len(x.Trainings))
	for _, t := range x.Trainings {
		e.str(string(t.Kind))
		e.bool(t.Online)
		e.time(t.Date)
		e.int(t.Hours)
		e.str(t.Note)
	}
	e.n(len(x.Entries))
	for _, t := range x.Entries {
		e.str(string(t.Channel))
		e.time(t.Date)
		e.str(t.ReviewedBy)
		e.str(t.Source)
		e.str(t.SourceID)
	}
	e.n(len(x.Unavailable))
	for _, p := range x.Unavailable {
		e.time(p.From)
		e.time(p.To)
		e.str(p.Reason)
	}
	return e.b
}

var errShort = errors.New("truncated")

// arenas hand out slices cut from shared backing arrays, with their capacity limited to
// their length, so appending to one never writes into another.
type arenas struct {
	strs  []string
	cats  []admission.Category
	affs  []admission.Affiliation
	creds []admission.Credential
	recs  []admission.Record
	exits []admission.Exit
	trs   []admission.Training
	ents  []admission.Entry
	pers  []admission.Period
	zones map[int]*time.Location
}

func take[T any](a *[]T, n int) []T {
	if n == 0 {
		return nil
	}
	if cap(*a)-len(*a) < n {
		*a = make([]T, 0, max(n, 4096))
	}
	l := len(*a)
	*a = (*a)[:l+n]
	return (*a)[l : l+n : l+n]
}

type decoder struct {
	s   string // the whole encoding; strings are cut from it
	i   int
	err error
	ar  *arenas
}

func (d *decoder) uvarint() uint64 {
	var x uint64
	var sh uint
	for d.i < len(d.s) {
		c := d.s[d.i]
		d.i++
		if c < 0x80 {
			if sh >= 63 && c > 1 {
				break
			}
			return x | uint64(c)<<sh
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
		if sh > 63 {
			break
		}
	}
	d.err = errShort
	d.i = len(d.s)
	return 0
}
func (d *decoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}
func (d *decoder) int() int { return int(d.varint()) }

// n reads a list length, bounded by the bytes left (each item takes at least one byte).
func (d *decoder) n() int {
	v := d.uvarint()
	if v > uint64(len(d.s)-d.i) {
		d.err = errShort
		d.i = len(d.s)
		return 0
	}
	return int(v)
}
func (d *decoder) str() string {
	n := d.n()
	s := d.s[d.i : d.i+n]
	d.i += n
	return s
}
func (d *decoder) byte() byte {
	if d.i >= len(d.s) {
		d.err = errShort
		return 0
	}
	c := d.s[d.i]
	d.i++
	return c
}
func (d *decoder) bool() bool { return d.byte() == 1 }
func (d *decoder) time() time.Time {
	switch k := d.byte(); k {
	case 0:
		return time.Time{}
	case 1, 2:
		t := time.Unix(d.varint(), int64(d.uvarint()))
		if k == 1 {
			return t.UTC()
		}
		off := d.int()
		z, ok := d.ar.zones[off]
		if !ok {
			z = time.FixedZone("", off)
			d.ar.zones[off] = z
		}
		return t.In(z)
	default:
		if d.err == nil {
			d.err = fmt.Errorf("bad time kind %d", k)
		}
		return time.Time{}
	}
}
func (d *decoder) aff(a *admission.Affiliation) {
	a.Org = d.str()
	a.OrgCode = d.str()
	a.Kind = admission.OrgKind(d.str())
	a.Department = d.str()
	a.Position = d.str()
	a.From = d.time()
	a.To = d.time()
}
func (d *decoder) strs() []string {
	out := take(&d.ar.strs, d.n())
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// decodeDraw decodes the draw encoding in s into *x (every field set) and returns the
// digest it carries.
func decodeDraw(s string, x *admission.Expert, ar *arenas) (string, error) {
	if ar.zones == nil {
		ar.zones = map[int]*time.Location{}
	}
	d := decoder{s: s, ar: ar}
	if v := d.byte(); v != drawCodecVersion {
		return "", fmt.Errorf("draw encoding version %d, want %d", v, drawCodecVersion)
	}
	if len(s) < 1+digestLen {
		return "", fmt.Errorf("draw encoding: %w", errShort)
	}
	digest := s[1 : 1+digestLen]
	d.i = 1 + digestLen
	x.ID = d.str()
	x.Name = d.str()
	x.IDNumber = d.str()
	x.Mobile = d.str()
	x.BirthDate = d.time()
	x.RetirementAge = d.int()
	d.aff(&x.Affiliation)
	x.Past = take(&ar.affs, d.n())
	for i := range x.Past {
		d.aff(&x.Past[i])
	}
	x.Title = admission.TitleLevel(d.int())
	x.Categories = take(&ar.cats, d.n())
	for i := range x.Categories {
		x.Categories[i] = admission.Category(d.str())
	}
	x.Fields = d.strs()
	x.Region = d.str()
	x.Credentials = take(&ar.creds, d.n())
	for i := range x.Credentials {
		c := &x.Credentials[i]
		c.Kind, c.Detail, c.Date = d.str(), d.str(), d.time()
	}
	x.Records = take(&ar.recs, d.n())
	for i := range x.Records {
		r := &x.Records[i]
		r.Kind, r.Detail, r.Date, r.Serious, r.Article = d.str(), d.str(), d.time(), d.bool(), d.str()
		r.Review = nil
		if d.bool() {
			r.Review = &admission.RecordReview{Outcome: admission.ReviewOutcome(d.str()), By: d.str(), At: d.time(), Reason: d.str()}
		}
	}
	x.Status = admission.Status(d.str())
	x.Exits = take(&ar.exits, d.n())
	for i := range x.Exits {
		r := &x.Exits[i]
		r.Reason, r.Date, r.Note, r.ApprovedBy = admission.ExitReason(d.str()), d.time(), d.str(), d.str()
		r.Evidence = d.strs()
	}
	x.UpdatedAt = d.time()
	x.Tags = d.strs()
	x.Trainings = take(&ar.trs, d.n())
	for i := range x.Trainings {
		t := &x.Trainings[i]
		t.Kind, t.Online, t.Date, t.Hours, t.Note = admission.TrainingKind(d.str()), d.bool(), d.time(), d.int(), d.str()
	}
	x.Entries = take(&ar.ents, d.n())
	for i := range x.Entries {
		t := &x.Entries[i]
		t.Channel, t.Date, t.ReviewedBy, t.Source, t.SourceID = admission.Channel(d.str()), d.time(), d.str(), d.str(), d.str()
	}
	x.Unavailable = take(&ar.pers, d.n())
	for i := range x.Unavailable {
		p := &x.Unavailable[i]
		p.From, p.To, p.Reason = d.time(), d.time(), d.str()
	}
	if d.err != nil {
		return "", fmt.Errorf("draw encoding: %w", d.err)
	}
	if d.i != len(d.s) {
		return "", fmt.Errorf("draw encoding: %d trailing bytes", len(d.s)-d.i)
	}
	return digest, nil
}
