package selection

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PublicError is a check of VerifyPublic that failed: which check (a stable name, see
// docs/draw-v1.md §11.3) and what was found.
type PublicError struct {
	Check  string // "format", "request-digest", "pool-digest", "key", "fixed", "excluded", "walk", "panel", "reserve"
	Detail string
}

// Error implements error.
func (e *PublicError) Error() string { return "selection: public record: " + e.Check + ": " + e.Detail }

func publicErr(check, format string, args ...any) error {
	return &PublicError{Check: check, Detail: fmt.Sprintf(format, args...)}
}

// VerifyPublic checks a public draw record from the record alone (docs/draw-v1.md §11.3): the
// request fields and their digest, the candidate list and the pool digest, the key, the
// fixed members against the request, the exclusions, the walk with its structure, the
// panel and the reserve. It returns nil or a *PublicError naming the first failed check.
// It needs no expression engine and no data besides the record.
func VerifyPublic(r *PublicRecord) error {
	_, _, err := verifyPublic(r)
	return err
}

// verifyPublic runs the checks of VerifyPublic and returns the base of the walk the record
// states (its candidates, fixed members and structure) with the key, for the campaign's
// replay (VerifyPublicCampaign).
func verifyPublic(r *PublicRecord) (*base, string, error) {
	if r == nil {
		return nil, "", publicErr("format", "no record")
	}
	if r.Version != PublicVersion {
		return nil, "", publicErr("format", "version %q, want %q", trimForError(r.Version), PublicVersion)
	}
	var mode Mode
	switch r.Mode {
	case "v1":
		mode = V1
	case "rfc3797":
		mode = RFC3797
	default:
		return nil, "", publicErr("format", "unknown mode %q", trimForError(r.Mode))
	}
	q, err := parseRequestFields(r.Request)
	if err != nil {
		return nil, "", publicErr("format", "request fields: %v", err)
	}
	if q.id != r.RequestID {
		return nil, "", publicErr("format", "request_id %q is not the request's id %q", trimForError(r.RequestID), trimForError(q.id))
	}
	nq, ng := len(q.quotas), len(q.groups)
	checkSig := func(where string, m PublicMember) error {
		if !publicID(m.ID) {
			return publicErr("format", "%s: malformed ID %q", where, trimForError(m.ID))
		}
		for i, x := range m.Quotas {
			if x < 0 || x >= nq || (i > 0 && x <= m.Quotas[i-1]) {
				return publicErr("format", "%s %s: quota indexes must be ascending in [0, %d)", where, m.ID, nq)
			}
		}
		if len(m.Groups) != ng {
			return publicErr("format", "%s %s: %d group ids for %d group caps", where, m.ID, len(m.Groups), ng)
		}
		for _, g := range m.Groups {
			if g < -1 {
				return publicErr("format", "%s %s: group id %d below -1", where, m.ID, g)
			}
		}
		return nil
	}
	ids := make([]string, len(r.Candidates))
	for i, c := range r.Candidates {
		if err := checkSig("candidate", c); err != nil {
			return nil, "", err
		}
		if c.Kind != "" {
			return nil, "", publicErr("format", "candidate %s has kind %q", c.ID, trimForError(c.Kind))
		}
		if i > 0 && c.ID <= ids[i-1] {
			return nil, "", publicErr("format", "candidates are not in strictly ascending byte order at %q", c.ID)
		}
		ids[i] = c.ID
	}
	for _, m := range r.Fixed {
		if err := checkSig("fixed member", m); err != nil {
			return nil, "", err
		}
	}
	entropy, err := parseEntropy(r.Entropy)
	if err != nil {
		return nil, "", publicErr("format", "entropy: %v", err)
	}
	if entropy.empty() {
		return nil, "", publicErr("format", "entropy has no numbers")
	}
	reserve := r.ReserveSize
	if reserve < 1 {
		return nil, "", publicErr("format", "reserve_size %d below 1", reserve)
	}

	enc := []byte("expertdb-request-v1\n")
	for _, f := range r.Request {
		enc = appendField(enc, f[0], f[1])
	}
	sum := sha256.Sum256(enc)
	if d := hex.EncodeToString(sum[:]); d != r.RequestDigest {
		return nil, "", publicErr("request-digest", "the fields give %s, the record states %s", d, r.RequestDigest)
	}
	if d := PoolDigest(ids); d != r.PoolDigest {
		return nil, "", publicErr("pool-digest", "the candidates give %s, the record states %s", d, r.PoolDigest)
	}
	key := entropy.Key()
	if mode == V1 {
		key = V1Key(r.RequestDigest, r.PoolDigest, entropy)
	}
	if key != r.Key {
		return nil, "", publicErr("key", "the entropy and digests give key %q, the record states %q", trimForError(key), trimForError(r.Key))
	}
	// Fixed members: the preferential picks of the request in ID order, then its invited
	// experts in request order.
	want := make([]PublicMember, 0, len(q.preferred)+len(q.invited))
	for _, id := range q.preferred {
		want = append(want, PublicMember{ID: id, Kind: "preferential"})
	}
	for _, id := range q.invited {
		want = append(want, PublicMember{ID: id, Kind: "invited"})
	}
	if len(r.Fixed) != len(want) {
		return nil, "", publicErr("fixed", "%d fixed members, the request names %d", len(r.Fixed), len(want))
	}
	for i, m := range r.Fixed {
		if m.ID != want[i].ID || m.Kind != want[i].Kind {
			return nil, "", publicErr("fixed", "fixed member %d is %s (%s), the request names %s (%s)", i+1, m.ID, m.Kind, want[i].ID, want[i].Kind)
		}
	}
	if len(q.preferred)*q.shareDen > q.size*q.shareNum {
		return nil, "", publicErr("fixed", "%d preferential picks exceed %d/%d of a panel of %d", len(q.preferred), q.shareNum, q.shareDen, q.size)
	}
	seen := make(map[string]string, len(ids)+len(r.Excluded)+len(r.Fixed))
	for _, id := range ids {
		seen[id] = "candidate"
	}
	onPanel := map[string]bool{}
	for i, x := range r.Excluded {
		if !publicID(x.ID) || x.Code == "" || x.Article == "" {
			return nil, "", publicErr("excluded", "exclusion %d has no valid ID, article and code", i+1)
		}
		if i > 0 && x.ID <= r.Excluded[i-1].ID {
			return nil, "", publicErr("excluded", "exclusions are not in strictly ascending byte order at %q", x.ID)
		}
		if seen[x.ID] != "" {
			return nil, "", publicErr("excluded", "%s is both a candidate and excluded", x.ID)
		}
		seen[x.ID] = "excluded"
		if x.Code == "on-panel" {
			onPanel[x.ID] = true
		}
	}
	if len(onPanel) != len(q.preferred) {
		return nil, "", publicErr("excluded", "%d on-panel exclusions for %d preferential picks", len(onPanel), len(q.preferred))
	}
	for _, id := range q.preferred {
		if !onPanel[id] {
			return nil, "", publicErr("excluded", "preferential pick %s is not excluded as on-panel", id)
		}
	}
	for _, id := range q.invited {
		if seen[id] != "" {
			return nil, "", publicErr("excluded", "invited expert %s is also %s", id, seen[id])
		}
	}
	// The walk, on the structure the record states.
	p := &Prepared{req: Request{ID: q.id, Size: q.size, Quotas: q.quotas, Groups: q.groups},
		rules: &Rules{Mode: mode, Reserve: reserve, SearchBound: verifySearchBound}, digest: r.RequestDigest}
	b := &base{p: p, ids: ids, st: newStructure(&p.req, verifySearchBound), poolDigest: r.PoolDigest}
	class := func(m PublicMember) int {
		var mask uint32
		for _, x := range m.Quotas {
			mask |= 1 << x
		}
		vals := make([]string, ng)
		for g, v := range m.Groups {
			if v >= 0 {
				vals[g] = strconv.Itoa(v)
			}
		}
		return b.st.classOf(mask, vals)
	}
	for _, m := range r.Fixed {
		b.fixed = append(b.fixed, member{pick: Pick{ExpertID: m.ID, Preferential: m.Kind == "preferential",
			Invited: m.Kind == "invited", Round: -1}, class: class(m)})
	}
	for _, c := range r.Candidates {
		b.cls = append(b.cls, class(c))
	}
	b.s0 = newState(b.st)
	for _, c := range b.cls {
		b.s0.avail[c]++
	}
	for _, m := range b.fixed {
		b.s0.addMember(m.class, false)
	}
	ok, err := b.s0.feasible()
	if err != nil {
		return nil, "", publicErr("walk", "%v", err)
	}
	if !ok {
		return nil, "", publicErr("walk", "no panel meets the structure with these candidates: the draw should have failed")
	}
	res, err := b.draw(entropy)
	if err != nil {
		return nil, "", publicErr("walk", "%v", err)
	}
	if !slices.Equal(res.Panel, r.Panel) {
		return nil, "", publicErr("panel", "the walk gives %s, the record states %s", picksString(res.Panel), picksString(r.Panel))
	}
	if !slices.Equal(res.Reserve, r.Reserve) {
		return nil, "", publicErr("reserve", "the walk gives %s, the record states %s", picksString(res.Reserve), picksString(r.Reserve))
	}
	return b, key, nil
}

// verifySearchBound is the search bound of VerifyPublic: ten times the default, because the
// verifier numbers the signatures in another order than the draw (so its searches may visit
// more nodes), yet bounded, because a record is untrusted input.
const verifySearchBound = 10 * DefaultSearchBound

func picksString(ps []Pick) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%s@%d", p.ExpertID, p.Round)
		if k := pickKind(p); k != "drawn" {
			s[i] += "(" + k + ")"
		}
	}
	return "[" + trimForError(strings.Join(s, " ")) + "]"
}

// publicID is validID for IDs read from a record: also valid UTF-8.
func publicID(id string) bool { return validID(id) && utf8.ValidString(id) }

// publicRequest is what the walk and the checks need from the request fields.
type publicRequest struct {
	id                 string
	size               int
	quotas             []Quota
	groups             []GroupCap
	preferred, invited []string
	shareNum, shareDen int
}

// parseRequestFields checks the fields against the grammar of the canonical encoding (§4)
// and reads the structure.
func parseRequestFields(fs [][2]string) (*publicRequest, error) {
	i := 0
	peek := func() string {
		if i < len(fs) {
			return fs[i][0]
		}
		return ""
	}
	take := func(tag string) (string, error) {
		if peek() != tag {
			if i >= len(fs) {
				return "", fmt.Errorf("missing %q at the end", tag)
			}
			return "", fmt.Errorf("field %d is %q, want %q", i+1, trimForError(fs[i][0]), tag)
		}
		i++
		return fs[i-1][1], nil
	}
	num := func(tag string, lo int) (int, error) {
		v, err := take(tag)
		if err != nil {
			return 0, err
		}
		if v == "" || (len(v) > 1 && v[0] == '0') || strings.TrimLeft(v, "0123456789") != "" || len(v) > 9 {
			return 0, fmt.Errorf("%s %q is not a canonical decimal number", tag, trimForError(v))
		}
		n, _ := strconv.Atoi(v)
		if n < lo {
			return 0, fmt.Errorf("%s %d is below %d", tag, n, lo)
		}
		return n, nil
	}
	for _, f := range fs {
		if !utf8.ValidString(f[0]) || !utf8.ValidString(f[1]) {
			return nil, fmt.Errorf("field %q is not valid UTF-8", trimForError(f[0]))
		}
	}
	q := &publicRequest{}
	var err error
	if q.id, err = take("id"); err != nil {
		return nil, err
	}
	if !validID(q.id) {
		return nil, fmt.Errorf("malformed request id")
	}
	if q.size, err = num("size", 1); err != nil {
		return nil, err
	}
	if _, err = take("at"); err != nil {
		return nil, err
	}
	if _, err = take("criteria"); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for peek() == "quota" {
		var qu Quota
		qu.Name, _ = take("quota")
		if qu.Filter, err = take("quota.filter"); err != nil {
			return nil, err
		}
		if qu.Min, err = num("quota.min", 0); err != nil {
			return nil, err
		}
		if qu.Max, err = num("quota.max", 0); err != nil {
			return nil, err
		}
		if qu.Name == "" || names["quota:"+qu.Name] || (qu.Max > 0 && qu.Max < qu.Min) {
			return nil, fmt.Errorf("quota %q is unnamed, repeated or has max below min", trimForError(qu.Name))
		}
		names["quota:"+qu.Name] = true
		q.quotas = append(q.quotas, qu)
	}
	for peek() == "group" {
		var g GroupCap
		g.Name, _ = take("group")
		if g.Key, err = take("group.key"); err != nil {
			return nil, err
		}
		if g.Max, err = num("group.max", 1); err != nil {
			return nil, err
		}
		if g.Name == "" || names["group:"+g.Name] {
			return nil, fmt.Errorf("group cap %q is unnamed or repeated", trimForError(g.Name))
		}
		names["group:"+g.Name] = true
		q.groups = append(q.groups, g)
	}
	if len(q.quotas) > maxQuotas || len(q.groups) > maxGroups {
		return nil, fmt.Errorf("more than %d quotas or %d group caps", maxQuotas, maxGroups)
	}
	if _, err = take("project"); err != nil {
		return nil, err
	}
	if _, err = take("project.leader"); err != nil {
		return nil, err
	}
	for peek() == "project.member" {
		i++
	}
	if _, err = num("project.avoid", 0); err != nil {
		return nil, err
	}
	for peek() == "preferred" {
		id, _ := take("preferred")
		if !validID(id) || (len(q.preferred) > 0 && id <= q.preferred[len(q.preferred)-1]) {
			return nil, fmt.Errorf("preferred %q is malformed or not in strictly ascending order", trimForError(id))
		}
		q.preferred = append(q.preferred, id)
	}
	if peek() == "plan.reason" {
		for _, tag := range []string{"plan.reason", "plan.approved-by", "plan.filed-with", "plan.at"} {
			if _, err = take(tag); err != nil {
				return nil, err
			}
		}
	}
	for peek() == "invited" {
		id, _ := take("invited")
		if !validID(id) || slices.Contains(q.invited, id) {
			return nil, fmt.Errorf("invited %q is malformed or repeated", trimForError(id))
		}
		q.invited = append(q.invited, id)
	}
	if _, err = num("rules.cap", 0); err != nil {
		return nil, err
	}
	if q.shareNum, err = num("rules.share.num", 0); err != nil {
		return nil, err
	}
	if q.shareDen, err = num("rules.share.den", 1); err != nil {
		return nil, err
	}
	if q.shareNum > q.shareDen {
		return nil, fmt.Errorf("preferential share %d/%d above 1", q.shareNum, q.shareDen)
	}
	for _, tag := range []string{"until", "drawn-at", "rules.window.max-lead", "rules.window.min-lead"} {
		if peek() == tag {
			i++
		}
	}
	for _, tag := range []string{"rules.ignore-unavailable", "rules.ignore-bookings"} {
		if peek() == tag {
			if v, _ := take(tag); v != "true" {
				return nil, fmt.Errorf("%s %q, want \"true\"", tag, trimForError(v))
			}
		}
	}
	for peek() == "rules.exclusion" {
		for _, tag := range []string{"rules.exclusion", "rules.exclusion.article", "rules.exclusion.expr"} {
			if _, err = take(tag); err != nil {
				return nil, err
			}
		}
	}
	if i != len(fs) {
		return nil, fmt.Errorf("unexpected field %q at position %d", trimForError(fs[i][0]), i+1)
	}
	return q, nil
}
