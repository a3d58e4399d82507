package expertdb_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// sentTypes are the types with dates that integrators send (or archive and send back).
var sentTypes = map[string]reflect.Type{
	"admission.Affiliation":        reflect.TypeFor[admission.Affiliation](),
	"admission.Credential":         reflect.TypeFor[admission.Credential](),
	"admission.DivisionInvitation": reflect.TypeFor[admission.DivisionInvitation](),
	"admission.Entry":              reflect.TypeFor[admission.Entry](),
	"admission.Exit":               reflect.TypeFor[admission.Exit](),
	"admission.ExitRequest":        reflect.TypeFor[admission.ExitRequest](),
	"admission.Expert":             reflect.TypeFor[admission.Expert](),
	"admission.Period":             reflect.TypeFor[admission.Period](),
	"admission.PersonalEvidence":   reflect.TypeFor[admission.PersonalEvidence](),
	"admission.Record":             reflect.TypeFor[admission.Record](),
	"admission.RecordReview":       reflect.TypeFor[admission.RecordReview](),
	"admission.Review":             reflect.TypeFor[admission.Review](),
	"admission.Training":           reflect.TypeFor[admission.Training](),
	"conflict.Dismissal":           reflect.TypeFor[conflict.Dismissal](),
	"conflict.Relation":            reflect.TypeFor[conflict.Relation](),
	"evaluation.Participation":     reflect.TypeFor[evaluation.Participation](),
	"evaluation.Rating":            reflect.TypeFor[evaluation.Rating](),
	"expertdb.EntropySource":       reflect.TypeFor[expertdb.EntropySource](),
	"expertdb.ExpertFilter":        reflect.TypeFor[expertdb.ExpertFilter](),
	"selection.Approval":           reflect.TypeFor[selection.Approval](),
	"selection.Booking":            reflect.TypeFor[selection.Booking](),
	"selection.Invitation":         reflect.TypeFor[selection.Invitation](),
	"selection.Participation":      reflect.TypeFor[selection.Participation](),
	"selection.Plan":               reflect.TypeFor[selection.Plan](),
	"selection.Request":            reflect.TypeFor[selection.Request](),
	"selection.Span":               reflect.TypeFor[selection.Span](),
}

// producedTypes have dates the library sets and writes; integrators only read them.
var producedTypes = []string{
	"admission.AdmissionDecision", "admission.ExitCase", "admission.ExitDecision", "evaluation.ExitProposal",
	"selection.Event", "selection.Notice", "selection.Seat",
	"expertdb.Commitment", "expertdb.DrawRecord", "expertdb.DrawSeats", "expertdb.EnteredValue", "expertdb.PendingNotice", "expertdb.Filing",
	"expertdb.Notification", "expertdb.RecordedApproval", "expertdb.RequestState", "expertdb.RecordingNotifier",
}

// datedTypes finds, in the source of the packages integrators use, every exported struct
// type with a time.Time field that has a JSON name.
func datedTypes(t *testing.T) []string {
	var out []string
	for pkg, dir := range map[string]string{"expertdb": ".", "admission": "admission", "conflict": "conflict",
		"evaluation": "evaluation", "selection": "selection"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			ast.Inspect(file, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return true
				}
				for _, fld := range st.Fields.List {
					sel, ok := fld.Type.(*ast.SelectorExpr)
					if ok && sel.Sel.Name == "Time" && fld.Tag != nil && strings.Contains(fld.Tag.Value, `json:"`) {
						out = append(out, pkg+"."+ts.Name.Name)
						break
					}
				}
				return true
			})
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestEveryDateIntegratorsSendIsLenient: each dated type is either sent (listed in
// sentTypes, and then every one of its dates reads "2026-03-02" and RFC 3339) or produced
// by the library (listed in producedTypes). A new dated type fails until it is classified.
func TestEveryDateIntegratorsSendIsLenient(t *testing.T) {
	for _, name := range datedTypes(t) {
		_, sent := sentTypes[name]
		assert.True(t, sent || slices.Contains(producedTypes, name), "%s has dates: list it in sentTypes (and give it lenient dates) or in producedTypes", name)
	}
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("", 8*3600))
	for name, typ := range sentTypes {
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Type != reflect.TypeFor[time.Time]() || tag == "" {
				continue
			}
			t.Run(name+"."+f.Name, func(t *testing.T) {
				for _, tc := range []struct {
					in   string
					want time.Time
				}{{`"2026-03-02"`, day}, {`"2026-03-02T09:30:00+08:00"`, at}, {`"2026-03-02T01:30:00Z"`, at}, {`null`, time.Time{}}} {
					v := reflect.New(typ)
					require.NoError(t, json.Unmarshal([]byte(`{"`+tag+`":`+tc.in+`}`), v.Interface()), tc.in)
					got := v.Elem().Field(i).Interface().(time.Time)
					assert.True(t, tc.want.Equal(got), "%s: got %v", tc.in, got)
					// What the library writes reads back to the same instant.
					out, err := json.Marshal(v.Interface())
					require.NoError(t, err)
					back := reflect.New(typ)
					require.NoError(t, json.Unmarshal(out, back.Interface()), string(out))
					assert.True(t, got.Equal(back.Elem().Field(i).Interface().(time.Time)), string(out))
				}
				for _, bad := range []string{`"2026-3-2"`, `"02/03/2026"`, `"2026-02-30"`, `12`, `"2026-03-02 09:30"`} {
					v := reflect.New(typ)
					assert.Error(t, json.Unmarshal([]byte(`{"`+tag+`":`+bad+`}`), v.Interface()), bad)
				}
			})
		}
	}
}

// TestLenientDatesKeepOtherFields: reading a date leniently loses none of the other fields.
func TestLenientDatesKeepOtherFields(t *testing.T) {
	var r evaluation.Rating
	require.NoError(t, json.Unmarshal([]byte(`{"expert_id":"E1","activity_id":"A1","rater_unit":"高新处","grade":"excellent","at":"2026-03-02","activity_at":"2026-02-27","comment":"好"}`), &r))
	assert.Equal(t, evaluation.Rating{ExpertID: "E1", ActivityID: "A1", RaterUnit: "高新处", Grade: evaluation.Excellent,
		At: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), ActivityAt: time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC), Comment: "好"}, r)
	var tr admission.Training
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"integrity","date":"2025-11-20"}`), &tr))
	assert.Equal(t, admission.TrainingKind("integrity"), tr.Kind)
	assert.Equal(t, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC), tr.Date)
}

// FuzzLenientDate: any text as a rating's date either is refused or reads to an instant that
// the library writes and reads back unchanged.
func FuzzLenientDate(f *testing.F) {
	for _, s := range []string{"2026-03-02", "2026-03-02T09:30:00+08:00", "1970-01-01", "0000-01-01", "9999-12-31T23:59:59.999999999Z", "2026-02-29", "", "2026-03-02 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in, err := json.Marshal(map[string]string{"at": s})
		require.NoError(t, err)
		var r evaluation.Rating
		if json.Unmarshal(in, &r) != nil {
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			return // a year outside 0–9999 cannot be written in RFC 3339
		}
		var back evaluation.Rating
		require.NoError(t, json.Unmarshal(out, &back), string(out))
		require.True(t, r.At.Equal(back.At), "%q: %v then %v", s, r.At, back.At)
	})
}

var ratingJSON = []byte(`{"expert_id":"E1","activity_id":"A1","rater_unit":"高新处","grade":"excellent","at":"2026-03-02T09:30:00+08:00","activity_at":"2026-02-27T09:00:00+08:00","comment":"好"}`)

// BenchmarkDecodeRating decodes a rating with its lenient dates.
func BenchmarkDecodeRating(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var r evaluation.Rating
		if err := json.Unmarshal(ratingJSON, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRatingBaselineGo decodes the same JSON into a hand-written struct with
// time.Time fields (RFC 3339 only), the cost before lenient dates.
func BenchmarkDecodeRatingBaselineGo(b *testing.B) {
	type rating struct {
		ExpertID   string           `json:"expert_id"`
		ActivityID string           `json:"activity_id"`
		RaterUnit  string           `json:"rater_unit"`
		Grade      evaluation.Grade `json:"grade"`
		At         time.Time        `json:"at"`
		ActivityAt time.Time        `json:"activity_at"`
		Comment    string           `json:"comment"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var r rating
		if err := json.Unmarshal(ratingJSON, &r); err != nil {
			b.Fatal(err)
		}
	}
}
