package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// BundleVersion is the version tag of the bundles NewBundle and NewBundleParts write
// (docs/draw-v1.md §15): a v1 bundle with the commitment, the campaign and the export event.
const BundleVersion = "expertdb-draw-bundle-v2"

// BundleVersionV1 is the version tag of the first bundles (docs/draw-v1.md §11.4): the draw
// alone. Check still verifies them; the checks of the commitment, the export and the
// campaign are not run on them.
const BundleVersionV1 = "expertdb-draw-bundle-v1"

// Bundle is what an inspector checks (docs/draw-v1.md §11.4, §15): the public draw record,
// the draw event, and in a v2 bundle the commitment event the draw names, the campaign's seat
// events and the export event that names them, each event with its inclusion proof under
// the one signed checkpoint.
type Bundle struct {
	Version     string                    `json:"version"`
	Public      *selection.PublicRecord   `json:"public"`
	Event       Event                     `json:"event"`
	Commit      *Commit                   `json:"commit,omitempty"`   // v2: the commitment event (absent for a practice draw)
	Campaign    *selection.PublicCampaign `json:"campaign,omitempty"` // v2: the campaign's seat events (absent before the campaign)
	Export      *Event                    `json:"export,omitempty"`   // v2: the export event, naming the public record and the campaign
	Checkpoint  string                    `json:"checkpoint"`         // signed note: C2SP checkpoint text, blank line, signatures
	VerifierKey string                    `json:"verifier_key"`       // note verifier key of the log, as the bureau publishes it
}

// Event is an event in the audit log: its index, its canonical record (the bytes that were
// hashed, as text) and the RFC 6962 inclusion proof in the checkpoint's tree (hashes in
// standard base64).
type Event struct {
	Index  int64    `json:"index"`
	Record string   `json:"record"`
	Proof  []string `json:"proof"`
}

// Commit is the commitment event of a formal draw (docs/draw-v1.md §13, §15) with the
// reference to it that the draw record keeps (expertdb.CommitRef).
type Commit struct {
	Event
	Ref CommitRef `json:"ref"`
}

// CommitRef is the draw record's reference to its commitment: the commit event's index, the
// commitment digest and the entropy source (as expertdb.CommitRef).
type CommitRef struct {
	AuditIndex int64  `json:"audit_index"`
	Digest     string `json:"digest"`
	Source     Source `json:"source"`
}

// Source is a committed entropy source (expertdb.EntropySource): a public value published
// at At, with Count numbers.
type Source struct {
	Kind  string    `json:"kind"`
	Name  string    `json:"name"`
	Round string    `json:"round"`
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// Key is the source key of docs/draw-v1.md §13.1.
func (s Source) Key() string {
	return "expertdb-entropy-source-v1\n" + s.Kind + "\n" + s.Name + "\n" + s.Round + "\n" +
		s.At.UTC().Format(time.RFC3339) + "\n" + strconv.Itoa(s.Count) + "\n"
}

// Parts are what NewBundleParts proves besides the draw event.
type Parts struct {
	// Commit is the draw record's reference to its commitment; nil for a practice draw.
	Commit *CommitRef
	// Campaign is the campaign's public record; nil when there is none.
	Campaign *selection.PublicCampaign
	// Export, when HasExport, is the index of the export event (its data names the public
	// digest and the campaign digest).
	Export    int64
	HasExport bool
}

// NewBundle assembles the bundle of the draw event at index of log, whose public record is
// pub: it signs a checkpoint of the log as it is now and proves the event's inclusion in it.
// verifierKey is the log's note verifier key (note.GenerateKey gives it with the signer).
// It is NewBundleParts without a commitment, a campaign or an export event (a practice draw).
func NewBundle(ctx context.Context, log *audit.Log, index int64, pub *selection.PublicRecord, verifierKey string) (*Bundle, error) {
	return NewBundleParts(ctx, log, index, pub, verifierKey, Parts{})
}

// NewBundleParts assembles a bundle like NewBundle, with the parts: the commit event the
// draw names, the campaign record and the export event, each proved in the same checkpoint.
func NewBundleParts(ctx context.Context, log *audit.Log, index int64, pub *selection.PublicRecord, verifierKey string, parts Parts) (*Bundle, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("verify: verifier key: %w", err)
	}
	signed, err := log.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	cp, err := audit.OpenCheckpoint(signed, v)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	prove := func(index int64) (Event, error) {
		proof, err := log.ProveInclusion(index, cp.Size)
		if err != nil {
			return Event{}, fmt.Errorf("verify: %w", err)
		}
		events, err := log.Events(ctx, index, 1)
		if err != nil {
			return Event{}, fmt.Errorf("verify: %w", err)
		}
		if len(events) != 1 {
			return Event{}, fmt.Errorf("verify: no event %d", index)
		}
		record, err := events[0].Encode()
		if err != nil {
			return Event{}, fmt.Errorf("verify: %w", err)
		}
		e := Event{Index: index, Record: string(record), Proof: make([]string, len(proof.Path))}
		for i, h := range proof.Path {
			e.Proof[i] = base64.StdEncoding.EncodeToString(h[:])
		}
		return e, nil
	}
	b := &Bundle{Version: BundleVersion, Public: pub, Checkpoint: string(signed), VerifierKey: verifierKey, Campaign: parts.Campaign}
	if b.Event, err = prove(index); err != nil {
		return nil, err
	}
	if parts.Commit != nil {
		e, err := prove(parts.Commit.AuditIndex)
		if err != nil {
			return nil, err
		}
		b.Commit = &Commit{Event: e, Ref: *parts.Commit}
	}
	if parts.HasExport {
		e, err := prove(parts.Export)
		if err != nil {
			return nil, err
		}
		b.Export = &e
	}
	return b, nil
}

// Checks lists the checks of a bundle in the order Check reports them: the log checks, the
// commitment checks (docs/draw-v1.md §15.2), the export event, those of
// selection.VerifyPublic, and the campaign (§14).
var Checks = []string{"verifier-key", "checkpoint", "inclusion", "event",
	"formal", "commit-inclusion", "commit-event", "commit-match", "commit-source", "commit-order", "commit-time",
	"export",
	"format", "request-digest", "pool-digest", "key", "fixed", "excluded", "walk", "panel", "reserve",
	"campaign"}

// Result is the outcome of one check: OK, or the reason it failed. Run is false for a check
// that was not reached (a check of the public record after a failed one, the commitment
// checks of a practice draw) or does not apply (the commitment of a v1 bundle, the campaign
// of a bundle without one).
type Result struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Run    bool   `json:"run"`
	Detail string `json:"detail,omitempty"`
}

// Failed returns the names of the failed checks of rs.
func Failed(rs []Result) []string {
	var out []string
	for _, r := range rs {
		if r.Run && !r.OK {
			out = append(out, r.Check)
		}
	}
	return out
}

// Practice reports whether b's draw event records a practice draw (docs/draw-v1.md §13.2):
// such a draw is never a formal one, and Check fails its "formal" check.
func Practice(b *Bundle) bool {
	if b == nil {
		return false
	}
	var e drawEvent
	return json.Unmarshal([]byte(b.Event.Record), &e) == nil && string(e.Data.Practice) == "true"
}

// Check runs every check of docs/draw-v1.md §11.3–11.4, §14 and §15 on b. The four log
// checks (verifier key, checkpoint signature, inclusion proof, draw event) run
// independently; so do the six commitment checks once the draw is a formal one, and the
// export check; the checks of the public record stop at the first failure, as
// selection.VerifyPublic does; the campaign is checked when the public record passed.
func Check(b *Bundle) []Result {
	res := make([]Result, 0, len(Checks))
	add := func(check string, err error) {
		r := Result{Check: check, OK: err == nil, Run: true}
		if err != nil {
			r.Detail = err.Error()
		}
		res = append(res, r)
	}
	skip := func(check, why string) { res = append(res, Result{Check: check, Detail: why}) }
	if b == nil {
		b = &Bundle{}
	}
	// 1. The verifier key.
	v, err := note.NewVerifier(b.VerifierKey)
	add("verifier-key", err)
	// 2. The checkpoint's signature by that key, and its origin.
	if v == nil {
		add("checkpoint", errors.New("no valid verifier key"))
	} else {
		_, err := audit.OpenCheckpoint([]byte(b.Checkpoint), v)
		add("checkpoint", err)
	}
	// 3. The inclusion proof, against the checkpoint's root (read without the signature,
	// which check 2 covers).
	add("inclusion", checkInclusion(b.Checkpoint, b.Event))
	// 4. The draw event carries this record.
	add("event", checkEvent(b))
	// 5. The commitment (§15.2).
	v1 := b.Version == BundleVersionV1
	commitChecks := Checks[5:11]
	if v1 {
		for _, c := range Checks[4:11] {
			skip(c, "a v1 bundle: the commitment is not checked")
		}
	} else if err := checkFormal(b); err != nil {
		add("formal", err)
		for _, c := range commitChecks {
			skip(c, "not a formal draw")
		}
	} else {
		add("formal", nil)
		cc := newCommitCheck(b)
		add("commit-inclusion", checkInclusion(b.Checkpoint, b.Commit.Event))
		add("commit-event", cc.event())
		add("commit-match", cc.match())
		add("commit-source", cc.source())
		add("commit-order", cc.order())
		add("commit-time", cc.time())
	}
	// 6. The export event.
	if v1 || (b.Export == nil && b.Campaign == nil) {
		skip("export", "no export event")
	} else {
		add("export", checkExport(b))
	}
	// 7. The public record.
	perr := publicCheck(b)
	failed := ""
	var pe *selection.PublicError
	if errors.As(perr, &pe) {
		failed = pe.Check
	} else if perr != nil {
		failed = "format"
	}
	reached := true
	for _, c := range Checks[12:21] {
		switch {
		case !reached:
			res = append(res, Result{Check: c})
		case c == failed:
			add(c, perr)
			reached = false
		default:
			add(c, nil)
		}
	}
	// 8. The campaign.
	switch {
	case v1 || b.Campaign == nil:
		skip("campaign", "no campaign")
	case !reached:
		skip("campaign", "the public record failed")
	default:
		add("campaign", selection.VerifyPublicCampaign(b.Public, b.Campaign))
	}
	return res
}

func publicCheck(b *Bundle) error {
	switch {
	case b.Version != BundleVersion && b.Version != BundleVersionV1:
		return &selection.PublicError{Check: "format", Detail: fmt.Sprintf("bundle version %q, want %q or %q", b.Version, BundleVersion, BundleVersionV1)}
	case b.Version == BundleVersionV1 && (b.Commit != nil || b.Campaign != nil || b.Export != nil):
		return &selection.PublicError{Check: "format", Detail: "a v1 bundle has no commit, campaign or export"}
	}
	return selection.VerifyPublic(b.Public)
}

// Verify returns nil when every check passes, or an error naming the failed checks.
func (b *Bundle) Verify() error {
	rs := Check(b)
	if f := Failed(rs); len(f) > 0 {
		var errs []error
		for _, r := range rs {
			if r.Run && !r.OK {
				errs = append(errs, fmt.Errorf("%s: %s", r.Check, r.Detail))
			}
		}
		return fmt.Errorf("verify: %w", errors.Join(errs...))
	}
	return nil
}

func checkInclusion(checkpoint string, ev Event) error {
	i := bytes.LastIndex([]byte(checkpoint), []byte("\n\n"))
	if i < 0 {
		return errors.New("checkpoint has no signature block")
	}
	cp, err := audit.ParseCheckpoint([]byte(checkpoint[:i+1]))
	if err != nil {
		return err
	}
	path := make(tlog.RecordProof, len(ev.Proof))
	for i, s := range ev.Proof {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != len(tlog.Hash{}) {
			return fmt.Errorf("proof hash %d is not 32 bytes of base64", i+1)
		}
		copy(path[i][:], raw)
	}
	return audit.CheckInclusion(cp, audit.InclusionProof{Index: ev.Index, Size: cp.Size, Path: path}, []byte(ev.Record))
}

// drawEvent is what checkEvent reads of the draw event's record.
type drawEvent struct {
	Action   string   `json:"action"`
	Subjects []string `json:"subjects"`
	Data     struct {
		PublicDigest  string          `json:"public_digest"`
		RequestDigest string          `json:"request_digest"`
		PoolDigest    string          `json:"pool_digest"`
		Key           string          `json:"key"`
		Mode          string          `json:"mode"`
		Practice      json.RawMessage `json:"practice"`
		CommitIndex   json.RawMessage `json:"commit_index"`
		CommitDigest  json.RawMessage `json:"commit_digest"`
	} `json:"data"`
}

func checkEvent(b *Bundle) error {
	var e drawEvent
	if err := json.Unmarshal([]byte(b.Event.Record), &e); err != nil {
		return fmt.Errorf("the event record is not JSON: %w", err)
	}
	p := b.Public
	if p == nil {
		return errors.New("no public record")
	}
	if e.Action != string(audit.ActionDraw) {
		return fmt.Errorf("the event is %q, not a draw", e.Action)
	}
	want := []string{p.RequestID}
	for _, pk := range p.Panel {
		want = append(want, pk.ExpertID)
	}
	if !slices.Equal(e.Subjects, want) {
		return fmt.Errorf("the event's subjects %q are not the request and its panel %q", e.Subjects, want)
	}
	for _, f := range []struct{ name, got, want string }{
		{"public_digest", e.Data.PublicDigest, p.Digest()},
		{"request_digest", e.Data.RequestDigest, p.RequestDigest},
		{"pool_digest", e.Data.PoolDigest, p.PoolDigest},
		{"key", e.Data.Key, p.Key},
		{"mode", e.Data.Mode, p.Mode},
	} {
		if f.got != f.want {
			return fmt.Errorf("the event's %s %q is not the record's %q", f.name, f.got, f.want)
		}
	}
	return nil
}
