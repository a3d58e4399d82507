package expertdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// This file holds the profile manifest of issue 14: a draw record names the profile versions
// of its pool by the digest of ONE manifest (DrawRecord.ProfileManifest) instead of listing a
// digest per candidate. A manifest lists, for every expert of the pool the draw read, the
// expert ID and the digest of its profile version; it is split into chunks, and every chunk
// and the manifest itself are stored as content-addressed blobs in the ProfileStore, like
// the profile versions. A pool version is thus written once, whatever the number of draws
// from it, and a change of a few experts writes only the chunks that hold them.
//
// Integrity: the record pins the manifest by its SHA-256; the manifest pins each chunk; each
// chunk pins each profile version. ResolveProfiles hashes every blob it reads against the
// digest that named it and refuses any that differs, so a replay either rebuilds exactly the
// pool the draw saw or fails.

// Wire versions of the manifest and of its chunks.
const (
	profileManifestVersion = "expertdb-profile-manifest-v1"
	profileChunkVersion    = "expertdb-profile-chunk-v1"
)

// Chunk boundaries are content-defined (an entry whose ID hashes to 0 modulo chunkSpread
// closes its chunk), so that inserting or updating one expert changes one chunk, wherever it
// sits; maxChunk bounds a chunk whatever the IDs.
const (
	chunkSpread = 512
	maxChunk    = 4096
)

// ProfileChecker is the optional capability of a ProfileStore to say which digests it does
// not hold, without reading them. With it, a draw from an unchanged pool checks that its
// manifest is stored with one small query instead of writing it again.
type ProfileChecker interface {
	// MissingProfiles returns the digests of digests that are not stored, in order.
	MissingProfiles(ctx context.Context, digests []string) ([]string, error)
}

var (
	_ ProfileChecker = (*MemoryProfileStore)(nil)
	_ ProfileChecker = eventProfiles{}
)

// MissingProfiles implements ProfileChecker.
func (m *MemoryProfileStore) MissingProfiles(_ context.Context, digests []string) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for _, d := range digests {
		if _, ok := m.m[d]; !ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func (e eventProfiles) MissingProfiles(ctx context.Context, digests []string) ([]string, error) {
	var out []string
	for _, d := range digests {
		evs, err := e.es.Events(ctx, "profile/"+d)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

// profileManifest is a manifest ready to store: its digest, its blob and its chunks, and the
// profile versions it names that the store may not hold yet (Profiles).
type profileManifest struct {
	digest   string
	blob     Profile   // the manifest itself
	chunks   []Profile // in order
	profiles []Profile // profile versions computed here (not known to be stored)
}

// buildManifest returns the manifest of experts, whose profile digests are digests (same
// index; nil or "" = compute it with ProfileDigest, and store that version with the
// manifest).
func buildManifest(experts []admission.Expert, digests []string) (*profileManifest, error) {
	m := &profileManifest{}
	var chunk []byte
	n := 0
	closeChunk := func() {
		chunk = append(chunk, "]}"...)
		m.chunks = append(m.chunks, blob(chunk))
		chunk, n = nil, 0
	}
	for i := range experts {
		e := &experts[i]
		d := ""
		if i < len(digests) {
			d = digests[i]
		}
		if d == "" {
			var data []byte
			var err error
			if d, data, err = ProfileDigest(*e); err != nil {
				return nil, err
			}
			m.profiles = append(m.profiles, Profile{Digest: d, Data: data})
		} else if !isDigest(d) {
			return nil, fmt.Errorf("expertdb: profile manifest: digest %q of expert %q is not a SHA-256 in lowercase hex", d, e.ID)
		}
		if chunk == nil {
			chunk = append(make([]byte, 0, 64*1024), `{"version":"`+profileChunkVersion+`","profiles":[`...)
		} else {
			chunk = append(chunk, ',')
		}
		chunk = append(chunk, '[')
		chunk = appendJSONString(chunk, e.ID)
		chunk = append(chunk, ',', '"')
		chunk = append(chunk, d...)
		chunk = append(chunk, '"', ']')
		n++
		if fnv32a(e.ID)%chunkSpread == 0 || n >= maxChunk {
			closeChunk()
		}
	}
	if chunk != nil {
		closeChunk()
	}
	top := make([]byte, 0, 128+67*len(m.chunks))
	top = append(top, `{"version":"`+profileManifestVersion+`","count":`...)
	top = fmt.Appendf(top, "%d", len(experts))
	top = append(top, `,"chunks":[`...)
	for i, c := range m.chunks {
		if i > 0 {
			top = append(top, ',')
		}
		top = append(top, '"')
		top = append(top, c.Digest...)
		top = append(top, '"')
	}
	top = append(top, "]}"...)
	m.blob = blob(top)
	m.digest = m.blob.Digest
	return m, nil
}

// fnv32a is the 32-bit FNV-1a hash of s.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// blob names data by its digest.
func blob(data []byte) Profile {
	sum := sha256.Sum256(data)
	return Profile{Digest: hex.EncodeToString(sum[:]), Data: data}
}

// appendJSONString appends s as a JSON string: as it is when it needs no escaping (expert
// IDs), else as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// lowerHex marks the bytes of lowercase hexadecimal.
var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()

// isDigest reports whether d is a SHA-256 in lowercase hex.
func isDigest(d string) bool {
	if len(d) != 64 {
		return false
	}
	ok := true
	for i := 0; i < len(d); i++ {
		ok = ok && lowerHex[d[i]]
	}
	return ok
}

// manifestEntry is one expert of a manifest: its ID and the digest of its profile version.
type manifestEntry struct {
	ID     string
	Digest string
}

// readVerified reads the blobs named by digests from ps and refuses any whose bytes do not
// hash to the digest that named it.
func readVerified(ctx context.Context, ps ProfileStore, what string, digests []string) ([][]byte, error) {
	raw, err := ps.Profiles(ctx, digests)
	if err != nil {
		return nil, err
	}
	if len(raw) != len(digests) {
		return nil, fmt.Errorf("%s: the profile store returned %d blobs for %d digests", what, len(raw), len(digests))
	}
	for i, b := range raw {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != digests[i] {
			return nil, fmt.Errorf("%s %s does not match its digest (altered?)", what, digests[i])
		}
	}
	return raw, nil
}

// readManifest reads and checks the manifest named digest and its chunks, and returns its
// entries in order.
func readManifest(ctx context.Context, ps ProfileStore, digest string) ([]manifestEntry, error) {
	if !isDigest(digest) {
		return nil, fmt.Errorf("profile manifest %q is not a SHA-256 in lowercase hex", digest)
	}
	raw, err := readVerified(ctx, ps, "profile manifest", []string{digest})
	if err != nil {
		return nil, err
	}
	var top struct {
		Version string   `json:"version"`
		Count   int      `json:"count"`
		Chunks  []string `json:"chunks"`
	}
	if err := strictJSON(raw[0], &top); err != nil {
		return nil, fmt.Errorf("profile manifest %s: %w", digest, err)
	}
	if top.Version != profileManifestVersion {
		return nil, fmt.Errorf("profile manifest %s has version %q, want %q", digest, top.Version, profileManifestVersion)
	}
	if top.Count < 0 || top.Count > maxChunk*len(top.Chunks) {
		return nil, fmt.Errorf("profile manifest %s lists %d experts in %d chunks", digest, top.Count, len(top.Chunks))
	}
	for _, c := range top.Chunks {
		if !isDigest(c) {
			return nil, fmt.Errorf("profile manifest %s: chunk %q is not a SHA-256 in lowercase hex", digest, c)
		}
	}
	chunks, err := readVerified(ctx, ps, "profile manifest chunk", top.Chunks)
	if err != nil {
		return nil, fmt.Errorf("profile manifest %s: %w", digest, err)
	}
	out := make([]manifestEntry, 0, top.Count)
	for i, b := range chunks {
		var c struct {
			Version  string      `json:"version"`
			Profiles [][2]string `json:"profiles"`
		}
		if err := strictJSON(b, &c); err != nil {
			return nil, fmt.Errorf("profile manifest %s: chunk %s: %w", digest, top.Chunks[i], err)
		}
		if c.Version != profileChunkVersion {
			return nil, fmt.Errorf("profile manifest %s: chunk %s has version %q, want %q", digest, top.Chunks[i], c.Version, profileChunkVersion)
		}
		for _, p := range c.Profiles {
			if !isDigest(p[1]) {
				return nil, fmt.Errorf("profile manifest %s: digest %q of expert %q is not a SHA-256 in lowercase hex", digest, p[1], p[0])
			}
			out = append(out, manifestEntry{ID: p[0], Digest: p[1]})
		}
	}
	if len(out) != top.Count {
		return nil, fmt.Errorf("profile manifest %s lists %d experts, its chunks %d", digest, top.Count, len(out))
	}
	return out, nil
}

// strictJSON decodes one JSON value with no unknown field and nothing after it.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the manifest")
	}
	return nil
}

// outOfPool reports the experts of r excluded before the draw (every exclusion but the
// preferential picks, "on-panel"): the record's pool keeps the others.
func outOfPool(r *selection.Result) map[string]bool {
	out := make(map[string]bool, len(r.Excluded))
	for _, x := range r.Excluded {
		if x.Code != "on-panel" {
			out[x.ExpertID] = true
		}
	}
	return out
}

// resolveManifest fills rec.Pool.Experts from the manifest rec.ProfileManifest: the experts
// it lists that the draw did not exclude (as snapshot kept them), from their profile versions.
func resolveManifest(ctx context.Context, rec *DrawRecord, ps ProfileStore) error {
	if rec.Result == nil {
		return errors.New("the record has a profile manifest but no result")
	}
	entries, err := readManifest(ctx, ps, rec.ProfileManifest)
	if err != nil {
		return err
	}
	out := outOfPool(rec.Result)
	refs := make([]ProfileRef, 0, len(entries))
	for _, e := range entries {
		if !out[e.ID] {
			refs = append(refs, ProfileRef{ExpertID: e.ID, Digest: e.Digest})
		}
	}
	experts, err := resolveRefs(ctx, refs, ps)
	if err != nil {
		return err
	}
	rec.Pool.Experts = experts
	return nil
}

// manifestCache keeps the manifest of the last pool snapshot a draw used: a draw from an
// unchanged snapshot neither encodes nor hashes it again, and a new snapshot whose experts
// have the same IDs and profile digests in the same order (a write to the ledger, the ratings
// or the seats) reuses it after comparing them, without encoding or hashing.
type manifestCache struct {
	mu      sync.Mutex
	snap    *PoolSnapshot
	ids     []string
	digests []string
	m       *profileManifest
}

// snapshotManifest returns the manifest of every expert of snap (computed once per snapshot).
func (s *Service) snapshotManifest(snap *PoolSnapshot) (*profileManifest, error) {
	c := &s.manifests
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m != nil && c.snap == snap {
		return c.m, nil
	}
	if c.m != nil && sameProfiles(snap, c.ids, c.digests) {
		c.snap = snap
		return c.m, nil
	}
	m, err := buildManifest(snap.Experts, snap.Digests)
	if err != nil {
		return nil, err
	}
	c.snap, c.m = snap, m
	if len(m.profiles) > 0 {
		c.ids, c.digests = nil, nil // digests computed here: compare by building again
		return m, nil
	}
	c.ids = make([]string, len(snap.Experts))
	for i := range snap.Experts {
		c.ids[i] = snap.Experts[i].ID
	}
	c.digests = snap.Digests[:len(snap.Experts):len(snap.Experts)]
	return m, nil
}

// sameProfiles reports whether snap holds exactly the experts ids with the profile versions
// digests, in that order (so its manifest is the one built from them).
func sameProfiles(snap *PoolSnapshot, ids, digests []string) bool {
	if ids == nil || len(snap.Experts) != len(ids) || len(snap.Digests) < len(ids) {
		return false
	}
	for i := range ids {
		if snap.Experts[i].ID != ids[i] || snap.Digests[i] != digests[i] {
			return false
		}
	}
	return true
}

// storeManifest stores, in the unit of work of ctx, the manifest m, its chunks and the
// profile versions computed with it, unless the store already holds the manifest (then it
// holds the rest: they are stored together, the manifest last).
func (s *Service) storeManifest(ctx context.Context, m *profileManifest) error {
	ps := s.profiles()
	if c, ok := ps.(ProfileChecker); ok {
		missing, err := c.MissingProfiles(ctx, []string{m.digest})
		if err != nil {
			return fmt.Errorf("expertdb: store profile manifest: %w", err)
		}
		if len(missing) == 0 {
			return nil
		}
		// A new manifest: store only the chunks and profile versions not stored yet (a
		// change of a few experts leaves most chunks as they were).
		parts := append(slices.Clone(m.profiles), m.chunks...)
		digests := make([]string, len(parts))
		for i, p := range parts {
			digests[i] = p.Digest
		}
		if missing, err = c.MissingProfiles(ctx, digests); err != nil {
			return fmt.Errorf("expertdb: store profile manifest: %w", err)
		}
		want := make(map[string]bool, len(missing))
		for _, d := range missing {
			want[d] = true
		}
		put := make([]Profile, 0, len(missing)+1)
		for _, p := range parts {
			if want[p.Digest] {
				put = append(put, p)
				delete(want, p.Digest)
			}
		}
		return s.putProfiles(ctx, append(put, m.blob))
	}
	put := make([]Profile, 0, len(m.profiles)+len(m.chunks)+1)
	put = append(append(append(put, m.profiles...), m.chunks...), m.blob)
	return s.putProfiles(ctx, put)
}

// putProfiles stores profiles in the unit of work of ctx.
func (s *Service) putProfiles(ctx context.Context, put []Profile) error {
	if len(put) == 0 {
		return nil
	}
	if p, ok := s.events.(ProfileStore); ok {
		// The store's own profile table, in the unit of work that ctx carries.
		if err := p.PutProfiles(ctx, put...); err != nil {
			return fmt.Errorf("expertdb: store profiles: %w", err)
		}
		return nil
	}
	// Profiles kept as event streams: appended through the unit's journal, so a failed unit
	// leaves none behind; a version already stored is a conflict and is kept as it is.
	for _, pr := range put {
		if err := s.appendEvent(ctx, "profile/"+pr.Digest, 0, pr.Data); err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("expertdb: store profiles: %w", err)
		}
	}
	return nil
}

// drawManifest returns the profile manifest of a draw from drawn whose record keeps the
// experts kept returns: the manifest of the whole snapshot when the draw read the snapshot's
// experts, computed once per snapshot; otherwise the manifest of the kept experts, with the
// digests the snapshot knows (by ID) and the others computed.
func (s *Service) drawManifest(snap *PoolSnapshot, drawn []admission.Expert, kept func() []admission.Expert) (*profileManifest, error) {
	if snap != nil && len(snap.Experts) > 0 && len(drawn) == len(snap.Experts) && &drawn[0] == &snap.Experts[0] {
		return s.snapshotManifest(snap)
	}
	experts := kept()
	var digests []string
	if snap != nil && len(snap.Digests) > 0 {
		byID := make(map[string]string, len(snap.Experts))
		for i := range snap.Experts {
			if i < len(snap.Digests) {
				byID[snap.Experts[i].ID] = snap.Digests[i]
			}
		}
		digests = make([]string, len(experts))
		for i := range experts {
			digests[i] = byID[experts[i].ID]
		}
	}
	return buildManifest(experts, digests)
}
