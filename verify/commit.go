package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// checkFormal: the draw event records a formal draw (not a practice draw) that names its
// commitment, and the bundle carries the commit event (docs/draw-v1.md §15.2).
func checkFormal(b *Bundle) error {
	var e drawEvent
	if err := json.Unmarshal([]byte(b.Event.Record), &e); err != nil {
		return fmt.Errorf("the draw event record is not JSON: %w", err)
	}
	if string(e.Data.Practice) == "true" {
		return errors.New("练习抽取，非正式抽取: the draw event records a practice draw (practice: true), made without a commitment")
	}
	if _, ok := eventIndex(e.Data.CommitIndex); !ok {
		return errors.New("the draw event names no commitment (no commit_index): not a formal draw")
	}
	var d string
	if len(e.Data.CommitDigest) == 0 || e.Data.CommitDigest[0] != '"' || json.Unmarshal(e.Data.CommitDigest, &d) != nil {
		return errors.New("the draw event names no commitment digest (commit_digest)")
	}
	if b.Commit == nil {
		return errors.New("the bundle carries no commit event")
	}
	return nil
}

// eventIndex reads a JSON integer ≥ 0.
func eventIndex(raw json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil && n >= 0
}

// commitEvent is what the checks read of the commit event's record.
type commitEvent struct {
	Action   string   `json:"action"`
	At       string   `json:"at"`
	Subjects []string `json:"subjects"`
	Data     struct {
		Outcome       string `json:"outcome"`
		CommitDigest  string `json:"commit_digest"`
		RequestDigest string `json:"request_digest"`
		PoolDigest    string `json:"pool_digest"`
		Policy        string `json:"policy"`
		Filing        string `json:"filing"`
		Source        struct {
			Kind  string `json:"kind"`
			Name  string `json:"name"`
			Round string `json:"round"`
			At    string `json:"at"`
			Count int    `json:"count"`
		} `json:"source"`
	} `json:"data"`
}

// commitCheck holds what the six commitment checks share.
type commitCheck struct {
	b        *Bundle
	draw     drawEvent
	c        commitEvent
	err      error     // the commit record is not JSON of the expected shape
	at       time.Time // the commit event's time
	atErr    error
	src      Source // the committed source as the commit event states it
	srcErr   error
	srcAtRaw string
}

func newCommitCheck(b *Bundle) *commitCheck {
	cc := &commitCheck{b: b}
	_ = json.Unmarshal([]byte(b.Event.Record), &cc.draw) // checkFormal parsed it
	if err := json.Unmarshal([]byte(b.Commit.Record), &cc.c); err != nil {
		cc.err = fmt.Errorf("the commit event record is not JSON of the expected form: %w", err)
		return cc
	}
	cc.at, cc.atErr = parseTime(cc.c.At)
	s := cc.c.Data.Source
	cc.src = Source{Kind: s.Kind, Name: s.Name, Round: s.Round, Count: s.Count}
	cc.src.At, cc.srcErr = parseTime(s.At)
	if cc.srcErr != nil {
		cc.srcErr = fmt.Errorf("the committed source's time: %w", cc.srcErr)
	}
	return cc
}

// parseTime reads an RFC 3339 time (docs/draw-v1.md §15.2: a date, "T", a time with an
// optional fraction, and "Z" or an offset).
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !rfc3339.MatchString(s) {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", trim(s))
	}
	return t, nil
}

// CommitDigest is the commitment digest of docs/draw-v1.md §13.1.
func CommitDigest(requestID, requestDigest, poolDigest, policy, filing string, src Source) string {
	sum := sha256.Sum256([]byte("expertdb-draw-commit-v1\n" + requestID + "\n" + requestDigest + "\n" + poolDigest + "\n" +
		policy + "\n" + filing + "\n" + src.Key()))
	return hex.EncodeToString(sum[:])
}

// event: the commit event is the commitment of this request, at the index the draw names,
// and its digest recomputes.
func (cc *commitCheck) event() error {
	if cc.err != nil {
		return cc.err
	}
	c, b := &cc.c, cc.b
	if b.Public == nil {
		return errors.New("no public record")
	}
	if c.Action != "draw" || c.Data.Outcome != "committed" {
		return fmt.Errorf("the commit event is %q/%q, not a draw with outcome \"committed\"", trim(c.Action), trim(c.Data.Outcome))
	}
	if !slices.Equal(c.Subjects, []string{b.Public.RequestID}) {
		return fmt.Errorf("the commit event's subjects %q are not the request %q", c.Subjects, b.Public.RequestID)
	}
	idx, _ := eventIndex(cc.draw.Data.CommitIndex)
	if b.Commit.Index != idx || b.Commit.Ref.AuditIndex != idx {
		return fmt.Errorf("the commit event is at %d, the draw event names %d and the draw record %d", b.Commit.Index, idx, b.Commit.Ref.AuditIndex)
	}
	if cc.srcErr != nil {
		return cc.srcErr
	}
	d := CommitDigest(b.Public.RequestID, c.Data.RequestDigest, c.Data.PoolDigest, c.Data.Policy, c.Data.Filing, cc.src)
	var named string
	_ = json.Unmarshal(cc.draw.Data.CommitDigest, &named)
	for _, f := range []struct{ what, got string }{{"the commit event", c.Data.CommitDigest}, {"the draw event", named}, {"the draw record", b.Commit.Ref.Digest}} {
		if f.got != d {
			return fmt.Errorf("the commitment recomputes to %s, %s states %s", d, f.what, trim(f.got))
		}
	}
	return nil
}

// match: the committed request and pool digests are the public record's.
func (cc *commitCheck) match() error {
	if cc.err != nil {
		return cc.err
	}
	p := cc.b.Public
	if p == nil {
		return errors.New("no public record")
	}
	if cc.c.Data.RequestDigest != p.RequestDigest {
		return fmt.Errorf("committed request digest %s, the record's %s", trim(cc.c.Data.RequestDigest), p.RequestDigest)
	}
	if cc.c.Data.PoolDigest != p.PoolDigest {
		return fmt.Errorf("committed pool digest %s, the record's %s", trim(cc.c.Data.PoolDigest), p.PoolDigest)
	}
	return nil
}

// source: the draw used the committed source: the record's source is the committed one,
// the mode is v1 and the entropy is one source of count numbers.
func (cc *commitCheck) source() error {
	if cc.err != nil {
		return cc.err
	}
	if cc.srcErr != nil {
		return cc.srcErr
	}
	if k := cc.b.Commit.Ref.Source.Key(); k != cc.src.Key() {
		return fmt.Errorf("the draw record names source %q, the commitment %q", trim(k), trim(cc.src.Key()))
	}
	p := cc.b.Public
	if p == nil {
		return errors.New("no public record")
	}
	if p.Mode != "v1" {
		return fmt.Errorf("mode %q: a committed draw is in mode v1", trim(p.Mode))
	}
	if len(p.Entropy) != 1 || len(p.Entropy[0]) != cc.src.Count {
		return fmt.Errorf("the entropy has %d sources, the commitment names one source of %d numbers", len(p.Entropy), cc.src.Count)
	}
	return nil
}

// order: the commit event comes before the draw event.
func (cc *commitCheck) order() error {
	if cc.b.Commit.Index >= cc.b.Event.Index {
		return fmt.Errorf("the commit event (%d) is not before the draw event (%d)", cc.b.Commit.Index, cc.b.Event.Index)
	}
	return nil
}

// time: the source was published after the commitment.
func (cc *commitCheck) time() error {
	switch {
	case cc.err != nil:
		return cc.err
	case cc.atErr != nil:
		return fmt.Errorf("the commit event's time: %w", cc.atErr)
	case cc.srcErr != nil:
		return cc.srcErr
	}
	at, pub := cc.at.Truncate(time.Millisecond), cc.src.At.Truncate(time.Millisecond)
	if !pub.After(at) {
		return fmt.Errorf("the source is published at %s, not after the commitment at %s", cc.src.At.UTC().Format(time.RFC3339Nano), cc.at.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// exportEvent is what checkExport reads of the export event's record.
type exportEvent struct {
	Action   string   `json:"action"`
	Subjects []string `json:"subjects"`
	Data     struct {
		PublicDigest   string `json:"public_digest"`
		CampaignDigest string `json:"campaign_digest"`
	} `json:"data"`
}

// checkExport: the export event is in the log, after the draw, and names this public record
// and this campaign (docs/draw-v1.md §15.3).
func checkExport(b *Bundle) error {
	if b.Export == nil {
		return errors.New("the bundle carries a campaign but no export event naming it")
	}
	if err := checkInclusion(b.Checkpoint, *b.Export); err != nil {
		return err
	}
	var x exportEvent
	if err := json.Unmarshal([]byte(b.Export.Record), &x); err != nil {
		return fmt.Errorf("the export event record is not JSON of the expected form: %w", err)
	}
	if b.Public == nil {
		return errors.New("no public record")
	}
	if x.Action != "export" || !slices.Equal(x.Subjects, []string{b.Public.RequestID}) {
		return fmt.Errorf("the export event is %q on %q, not an export of request %q", trim(x.Action), x.Subjects, b.Public.RequestID)
	}
	if b.Export.Index <= b.Event.Index {
		return fmt.Errorf("the export event (%d) is not after the draw event (%d)", b.Export.Index, b.Event.Index)
	}
	if d := b.Public.Digest(); x.Data.PublicDigest != d {
		return fmt.Errorf("the export event names public digest %s, the record gives %s", trim(x.Data.PublicDigest), d)
	}
	want := ""
	if b.Campaign != nil {
		want = b.Campaign.Digest()
	}
	if x.Data.CampaignDigest != want {
		return fmt.Errorf("the export event names campaign digest %q, the bundle's campaign gives %q", trim(x.Data.CampaignDigest), want)
	}
	return nil
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
