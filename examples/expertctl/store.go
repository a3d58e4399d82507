package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
)

var cst = time.FixedZone("CST", 8*3600)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	db, key, pub string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.db, "db", "expertdb.sqlite", "the SQLite database file (created when missing)")
	fs.StringVar(&d.key, "key", "", "the audit log's private signing key (default <db>.key, created on first use)")
	fs.StringVar(&d.pub, "pub", "", "the verifier key of the audit checkpoints (default <db>.pub)")
}

func (d *dbFlags) keyPath() string {
	if d.key != "" {
		return d.key
	}
	return d.db + ".key"
}

func (d *dbFlags) pubPath() string {
	if d.pub != "" {
		return d.pub
	}
	return d.db + ".pub"
}

// signer reads the signing key, creating it (and the verifier key file) when create is set and
// neither exists.
func (d *dbFlags) signer(create bool) (note.Signer, error) {
	raw, err := os.ReadFile(d.keyPath())
	if errors.Is(err, fs.ErrNotExist) && create {
		if _, perr := os.Stat(d.pubPath()); perr == nil {
			return nil, fmt.Errorf("signing key %s is missing but %s exists: restore the key rather than make a new one", d.keyPath(), d.pubPath())
		}
		skey, vkey, gerr := note.GenerateKey(rand.Reader, "expertdb-cli")
		if gerr != nil {
			return nil, fmt.Errorf("generate signing key: %w", gerr)
		}
		if err := os.WriteFile(d.keyPath(), []byte(skey+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write signing key: %w", err)
		}
		if err := os.WriteFile(d.pubPath(), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("write verifier key: %w", err)
		}
		raw = []byte(skey)
	} else if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", d.keyPath(), err)
	}
	return s, nil
}

// verifier reads the verifier key; it returns the key text too, for the draw record page.
func (d *dbFlags) verifier() (note.Verifier, string, error) {
	raw, err := os.ReadFile(d.pubPath())
	if err != nil {
		return nil, "", fmt.Errorf("read verifier key: %w", err)
	}
	text := strings.TrimSpace(string(raw))
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, "", fmt.Errorf("verifier key %s: %w", d.pubPath(), err)
	}
	return v, text, nil
}

// open opens the database (creating it when create is set).
func (d *dbFlags) open(ctx context.Context, create bool) (*sqlstore.DB, error) {
	if !create {
		if _, err := os.Stat(d.db); err != nil {
			return nil, fmt.Errorf("database %s: %w", d.db, err)
		}
	}
	return sqlite.Open(ctx, d.db, sqlstore.Options{})
}

// operator identifies the real-name user the CLI acts as (Art. 18).
type operator struct {
	name, unit, role string
}

func (o *operator) register(fs *flag.FlagSet, unitHelp string) {
	fs.StringVar(&o.name, "operator", "专家库管理员", "the real name of the user running the command, recorded in the audit log (Art. 18)")
	if unitHelp != "" {
		fs.StringVar(&o.role, "role", audit.RoleDivision, "the operator's role: division (业务处室) or county (县市区科技局)")
	}
}

func (o operator) admin() audit.Actor {
	return audit.Actor{ID: "cli-admin", Name: o.name, Role: audit.RoleCityAdmin, Unit: "市科技局"}
}

func (o operator) drawer(unit string) audit.Actor {
	role := o.role
	if role == "" {
		role = audit.RoleDivision
	}
	return audit.Actor{ID: "cli-" + role, Name: o.name, Role: role, Unit: unit}
}

func user(a audit.Actor) audit.User {
	return audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit}
}

// clock is the clock of every Service the CLI opens: the system clock. No flag sets the time
// of an audited act (a draw, a campaign step, an admission): the operator never chooses it
// (Art. 14(1), 17, 22(5)). Only tests replace it, to travel in time.
var clock = time.Now

// refusedClock is the -at flag the audited commands once took: it is refused, naming why.
type refusedClock struct{}

func (refusedClock) String() string { return "" }

func (refusedClock) Set(string) error {
	return errors.New("refused: the time of an audited act is the system clock, never a flag (Art. 14(1), 22(5)); run the step when it happens")
}

// refuseAt registers -at on an audited command, so that passing it is a clear usage error.
func refuseAt(fs *flag.FlagSet) {
	fs.Var(refusedClock{}, "at", "refused: every audited step runs on the system clock (Art. 14(1), 22(5))")
}

// service opens a Service over the database with the given users and policy, on clock.
func service(ctx context.Context, db *sqlstore.DB, signer note.Signer, p *expertdb.Policy, users ...audit.Actor) (*expertdb.Service, error) {
	return serviceNotifying(ctx, db, signer, p, nil, users...)
}

// serviceNotifying is service with a Notifier for the campaign notices (nil = kept in memory).
func serviceNotifying(ctx context.Context, db *sqlstore.DB, signer note.Signer, p *expertdb.Policy,
	n expertdb.Notifier, users ...audit.Actor) (*expertdb.Service, error) {
	var us []audit.User
	for _, a := range users {
		us = append(us, user(a))
	}
	return expertdb.NewService(ctx, expertdb.Options{
		Policy: p, Users: us, Experts: db.Experts(), Ratings: db.Ratings(), Ledger: db.Ledger(),
		Events: db.Events(), Audit: db.Audit(), Signer: signer, Clock: func() time.Time { return clock() }, Notifier: n,
	})
}

// loadPolicy reads a county profile, or returns the city rules for "".
func loadPolicy(path string) (*expertdb.Policy, error) {
	if path == "" {
		return expertdb.DefaultPolicy(), nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := expertdb.LoadPolicy(src)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// parseTime reads "2006-01-02", "2006-01-02 15:04" or RFC 3339; dates without a zone are
// China Standard Time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		var t time.Time
		var err error
		if layout == time.RFC3339Nano {
			t, err = time.Parse(layout, s)
		} else {
			t, err = time.ParseInLocation(layout, s, cst)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02), a date and time (2006-01-02 15:04) or RFC 3339", s)
}

// clockFlag is a time flag that is not the time of an audited act (-asof of a dry review,
// -published of a public value): a fixed time, or the clock's when empty.
type clockFlag struct{ t time.Time }

func (c *clockFlag) String() string {
	if c.t.IsZero() {
		return ""
	}
	return c.t.Format(time.RFC3339)
}

func (c *clockFlag) Set(s string) error {
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	c.t = t
	return nil
}

func (c *clockFlag) now() time.Time {
	if c.t.IsZero() {
		return clock()
	}
	return c.t
}

// writeFile writes data, refusing to overwrite unless force.
func writeFile(path string, data []byte, perm os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !force {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists (use -force to overwrite)", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// openLog opens the existing database and its audit log with the database's signing key.
func (d *dbFlags) openLog(ctx context.Context) (*sqlstore.DB, *audit.Log, error) {
	db, err := d.open(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	signer, err := d.signer(false)
	if err == nil {
		var l *audit.Log
		if l, err = audit.NewLog(ctx, db.Audit(), signer); err == nil {
			return db, l, nil
		}
	}
	db.Close()
	return nil, nil, err
}
