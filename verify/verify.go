package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// BundleVersion is the version tag of a Bundle.
const BundleVersion = "expertdb-draw-bundle-v1"

// Bundle is what an inspector checks (docs/draw-v1.md §11.4).
type Bundle struct {
	Version     string                  `json:"version"`
	Public      *selection.PublicRecord `json:"public"`
	Event       Event                   `json:"event"`
	Checkpoint  string                  `json:"checkpoint"`   // signed note: C2SP checkpoint text, blank line, signatures
	VerifierKey string                  `json:"verifier_key"` // note verifier key of the log, as the bureau publishes it
}

// Event is the draw event in the audit log: its index, its canonical record (the bytes that
// were hashed, as text) and the RFC 6962 inclusion proof in the checkpoint's tree (hashes in
// standard base64).
type Event struct {
	Index  int64    `json:"index"`
	Record string   `json:"record"`
	Proof  []string `json:"proof"`
}

// NewBundle assembles the bundle of the draw event at index of log, whose public record is
// pub: it signs a checkpoint of the log as it is now and proves the event's inclusion in it.
// verifierKey is the log's note verifier key (note.GenerateKey gives it with the signer).
func NewBundle(ctx context.Context, log *audit.Log, index int64, pub *selection.PublicRecord, verifierKey string) (*Bundle, error) {
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
	proof, err := log.ProveInclusion(index, cp.Size)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	events, err := log.Events(ctx, index, 1)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if len(events) != 1 {
		return nil, fmt.Errorf("verify: no event %d", index)
	}
	record, err := events[0].Encode()
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	b := &Bundle{Version: BundleVersion, Public: pub, Checkpoint: string(signed), VerifierKey: verifierKey,
		Event: Event{Index: index, Record: string(record), Proof: make([]string, len(proof.Path))}}
	for i, h := range proof.Path {
		b.Event.Proof[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return b, nil
}

// Checks lists the checks of a bundle in the order Check reports them: the log checks, then
// those of selection.VerifyPublic.
var Checks = []string{"verifier-key", "checkpoint", "inclusion", "event",
	"format", "request-digest", "pool-digest", "key", "fixed", "excluded", "walk", "panel", "reserve"}

// Result is the outcome of one check: OK, or the reason it failed. Run is false for a check of
// the public record that was not reached because an earlier one failed.
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

// Check runs every check of docs/draw-v1.md §11.3–11.4 on b. The four log checks
// (verifier key, checkpoint signature, inclusion proof, draw event) run independently; the
// checks of the public record stop at the first failure, as selection.VerifyPublic does.
func Check(b *Bundle) []Result {
	res := make([]Result, 0, len(Checks))
	add := func(check string, err error) {
		r := Result{Check: check, OK: err == nil, Run: true}
		if err != nil {
			r.Detail = err.Error()
		}
		res = append(res, r)
	}
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
	add("inclusion", checkInclusion(b))
	// 4. The draw event carries this record.
	add("event", checkEvent(b))
	// 5. The public record.
	perr := publicCheck(b)
	failed := ""
	var pe *selection.PublicError
	if errors.As(perr, &pe) {
		failed = pe.Check
	} else if perr != nil {
		failed = "format"
	}
	reached := true
	for _, c := range Checks[4:] {
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
	return res
}

func publicCheck(b *Bundle) error {
	if b.Version != BundleVersion {
		return &selection.PublicError{Check: "format", Detail: fmt.Sprintf("bundle version %q, want %q", b.Version, BundleVersion)}
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

func checkInclusion(b *Bundle) error {
	i := bytes.LastIndex([]byte(b.Checkpoint), []byte("\n\n"))
	if i < 0 {
		return errors.New("checkpoint has no signature block")
	}
	cp, err := audit.ParseCheckpoint([]byte(b.Checkpoint[:i+1]))
	if err != nil {
		return err
	}
	path := make(tlog.RecordProof, len(b.Event.Proof))
	for i, s := range b.Event.Proof {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != len(tlog.Hash{}) {
			return fmt.Errorf("proof hash %d is not 32 bytes of base64", i+1)
		}
		copy(path[i][:], raw)
	}
	return audit.CheckInclusion(cp, audit.InclusionProof{Index: b.Event.Index, Size: cp.Size, Path: path}, []byte(b.Event.Record))
}

// drawEvent is what checkEvent reads of the draw event's record.
type drawEvent struct {
	Action   string   `json:"action"`
	Subjects []string `json:"subjects"`
	Data     struct {
		PublicDigest  string `json:"public_digest"`
		RequestDigest string `json:"request_digest"`
		PoolDigest    string `json:"pool_digest"`
		Key           string `json:"key"`
		Mode          string `json:"mode"`
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
