package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"sync"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/selection"
)

func runCampaign(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"start": runCampaignStart, "respond": runCampaignRespond, "expire": runCampaignExpire, "status": runCampaignStatus,
		"deliver": runCampaignDeliver, "resend": runCampaignResend,
	}
	return runSubcommand(ctx, e, "campaign", args, sub, `Usage: expertctl campaign <start|respond|expire|status|deliver|resend> [flags]

The notification campaign of a draw made with 'expertctl draw' (Art. 14(2)): the drawn
experts are notified in draw order, each with a reply deadline and a one-time reply code;
a decline, a missed deadline or a refused acceptance is filled at once from the continuing
draw sequence. Every step is stored in the database and the audit log, so the commands can
be run one after another, by different people, on different days. Every step runs on the
system clock: no flag sets the time of a step (Art. 14(1), 22(5)).

  start    notify the panel; prints each notice's reply code
  respond  record an expert's reply (accept with the signed pledge, or decline with a reason)
  expire   close the notices whose deadline has passed and notify the next experts
  status   the notified experts in notification order, with what became of each notice
  deliver  send again, each with a fresh reply code, the notices that were not delivered
  resend   send one expert's notice again with a fresh reply code (the old code stops working)

The CLI stands in for the SMS gateway: it prints each notice (expert ID, masked name,
deadline, reply code) to standard output for the operator to pass on, and never writes a
code to a file, the audit log (which keeps only the masked mobile) or an error message.
The commands act as the operator who made the draw (-operator, -role; the role defaults to
the one the draw was made under) on behalf of the drawing unit, which is read from the
draw's audit event; replies are entered by that operator as received (Art. 14(2), 18).

Run 'expertctl campaign <subcommand> -h' for the flags.
`)
}

// campaignFlags are the flags every campaign subcommand shares.
type campaignFlags struct {
	d          dbFlags
	op         operator
	policyPath string
	requestID  string
}

func (c *campaignFlags) register(fs *flag.FlagSet) {
	c.d.register(fs)
	c.op.register(fs, "unit")
	c.op.role = "" // default: the role the draw was made under
	fs.Lookup("role").DefValue = "the draw's"
	refuseAt(fs)
	fs.StringVar(&c.policyPath, "policy", "", "county policy (使用细则) YAML the draw was made under; default the city rules")
	fs.StringVar(&c.requestID, "request-id", "", "the request ID of the draw (required)")
}

func (c *campaignFlags) check(fs *flag.FlagSet) error {
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if c.requestID == "" {
		return usagef("-request-id is required")
	}
	if c.op.role != "" && c.op.role != audit.RoleDivision && c.op.role != audit.RoleCounty {
		return usagef("-role must be division or county")
	}
	return nil
}

// printer is the Notifier of the CLI: it keeps the notices for the command to print.
type printer struct {
	mu   sync.Mutex
	sent []expertdb.Notification
}

func (p *printer) Notify(_ context.Context, n expertdb.Notification) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, n)
	return nil
}

var _ expertdb.Notifier = (*printer)(nil)

// session is an open database and Service acting as the draw's operator.
type session struct {
	db      *sqlstore.DB
	svc     *expertdb.Service
	actor   audit.Actor
	notices *printer
}

// open opens the database and a Service acting for the unit that made the draw.
func (c *campaignFlags) open(ctx context.Context) (*session, error) {
	p, err := loadPolicy(c.policyPath)
	if err != nil {
		return nil, err
	}
	db, l, err := c.d.openLog(ctx)
	if err != nil {
		return nil, err
	}
	unit, role, err := drawUnit(ctx, l, c.requestID)
	if err != nil {
		db.Close()
		return nil, err
	}
	if c.op.role != "" {
		role = c.op.role
	}
	c.op.role = role
	signer, err := c.d.signer(false)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &session{db: db, actor: c.op.drawer(unit), notices: &printer{}}
	s.svc, err = serviceNotifying(ctx, db, signer, p, s.notices, c.op.admin(), s.actor)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// drawUnit finds the unit a request was drawn for, and the drawing operator's role, in the
// draw's audit event.
func drawUnit(ctx context.Context, l *audit.Log, requestID string) (unit, role string, err error) {
	res, err := l.Query(ctx, audit.Query{Subject: requestID, Action: audit.ActionDraw})
	if err != nil {
		return "", "", err
	}
	for _, m := range res.Matches {
		var d struct {
			Unit    string `json:"unit"`
			Outcome string `json:"outcome"`
		}
		if len(m.Event.Subjects) == 0 || m.Event.Subjects[0] != requestID || json.Unmarshal(m.Event.Data, &d) != nil {
			continue
		}
		if d.Outcome == "drawn" && d.Unit != "" {
			return d.Unit, m.Event.Actor.Role, nil
		}
	}
	return "", "", fmt.Errorf("no draw of request %q in the database (draw it first: expertctl draw -request …)", requestID)
}

// printNotices prints the notices sent by the last step: the CLI is the SMS gateway.
func (s *session) printNotices(e *env) {
	if len(s.notices.sent) == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "notices (pass each code to its expert only; 回复码仅告知本人):\n")
	for _, n := range s.notices.sent {
		fmt.Fprintf(e.stdout, "  %s %s deadline %s code %s\n", n.ExpertID, n.MaskedName, n.Deadline.In(cst).Format("2006-01-02 15:04"), n.Code)
	}
	s.notices.sent = nil
}

// printStatus prints the seats in notification order.
func printStatus(e *env, v *expertdb.CampaignView) {
	accepted := 0
	for _, st := range v.Seats {
		if st.Status == selection.SeatAccepted {
			accepted++
		}
	}
	state := "open"
	if v.Complete {
		state = "complete"
	}
	fmt.Fprintf(e.stdout, "campaign %s: %s, %d accepted, %d holding a seat, %d notified\n", v.RequestID, state, accepted, len(v.Panel), len(v.Seats))
	if v.Sealed {
		fmt.Fprintln(e.stdout, "(the panel is sealed until the activity starts: expert IDs are hidden, Art. 8(6), 9(7))")
	}
	if v.Undelivered > 0 {
		fmt.Fprintf(e.stdout, "%d notice(s) not delivered: send them again with 'expertctl campaign deliver'\n", v.Undelivered)
	}
	for i, st := range v.Seats {
		how := fmt.Sprintf("round %d", st.Round)
		switch {
		case st.Invited:
			how = "invited (特邀)"
		case st.Preferential:
			how = "preferential (择优)"
		}
		line := fmt.Sprintf("  %d. %s %-9s %s, notified %s, deadline %s", i+1, st.ExpertID, st.Status, how,
			st.NotifiedAt.In(cst).Format("2006-01-02 15:04"), st.Deadline.In(cst).Format("2006-01-02 15:04"))
		if !st.RespondedAt.IsZero() {
			line += ", replied " + st.RespondedAt.In(cst).Format("2006-01-02 15:04")
		}
		if st.Pledge != "" {
			line += ", pledge " + st.Pledge
		}
		if st.Reason != "" {
			line += ", reason: " + st.Reason
		}
		if st.UnfamiliarField {
			line += " (unfamiliar field, Art. 7(4))"
		}
		fmt.Fprintln(e.stdout, line)
	}
}

// step runs one campaign operation and prints the notices it sent and the new state.
func (c *campaignFlags) step(ctx context.Context, e *env, f func(s *session) (*expertdb.CampaignView, error)) error {
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.db.Close()
	v, err := f(s)
	// Notices already sent before a failure still reach the operator.
	s.printNotices(e)
	if err != nil {
		return campaignError(err)
	}
	printStatus(e, v)
	return nil
}

// campaignError turns the Service's refusals into messages an operator can act on.
func campaignError(err error) error {
	var de *audit.DeniedError
	switch {
	case errors.Is(err, selection.ErrReplyCode):
		return fmt.Errorf("reply refused: the reply code does not match the notice (回复码错误; %d wrong codes lock the notice, Art. 14(2)): %w", expertdb.MaxWrongCodes, err)
	case errors.Is(err, expertdb.ErrReplyLocked):
		return fmt.Errorf("reply refused: %w", err)
	case errors.As(err, &de):
		return fmt.Errorf("refused: %s %s: %s", de.Article, de.Code, de.Message)
	}
	return err
}

// parse parses the command line and checks the common campaign flags.
func (c *campaignFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	return c.check(fs)
}

func runCampaignStart(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "campaign start", "-request-id R [flags]", `
Notify the drawn panel (Art. 14(2)): each expert gets a notice with the reply deadline (the
request's window) and a one-time reply code. This CLI stands in for the SMS gateway: the
notices, codes included, are printed to standard output only, for the operator to pass on to
each expert; the audit log records each notice with the mobile masked and no code.`)
	var c campaignFlags
	c.register(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	return c.step(ctx, e, func(s *session) (*expertdb.CampaignView, error) {
		return s.svc.StartCampaign(ctx, s.actor, c.requestID)
	})
}

func runCampaignRespond(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "campaign respond", "-request-id R -expert E -code C (-accept -pledge REF | -decline -reason TEXT [-unfamiliar]) [flags]", `
Record an expert's reply to a notice (Art. 14(2)), with the one-time code from the notice.
Accepting needs the reference of the signed pledge (承诺书, Art. 8(4)) and reserves a
participation under the annual cap (Art. 14(1)); declining needs a reason, and -unfamiliar
records that the field is unfamiliar (Art. 7(4)). A decline is filled at once from the
continuing draw sequence: the new notice is printed like those of 'campaign start'.
A wrong code is refused and recorded; after 5 wrong codes the notice is locked.`)
	var c campaignFlags
	c.register(fs)
	expert := fs.String("expert", "", "the expert ID (required)")
	code := fs.String("code", "", "the one-time reply code from the notice (required)")
	accept := fs.Bool("accept", false, "the expert accepts")
	pledge := fs.String("pledge", "", "reference of the signed pledge (required with -accept)")
	decline := fs.Bool("decline", false, "the expert declines")
	reason := fs.String("reason", "", "why the expert declines (required with -decline)")
	unfamiliar := fs.Bool("unfamiliar", false, "declined because the field is unfamiliar (with -decline)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	switch {
	case *expert == "" || *code == "":
		return usagef("-expert and -code are required")
	case *accept == *decline:
		return usagef("give exactly one of -accept and -decline")
	case *accept && *pledge == "":
		return usagef("-accept needs -pledge (the signed pledge, Art. 8(4))")
	case *accept && (*reason != "" || *unfamiliar):
		return usagef("-reason and -unfamiliar go with -decline")
	case *decline && *reason == "":
		return usagef("-decline needs -reason")
	case *decline && *pledge != "":
		return usagef("-pledge goes with -accept")
	}
	r := expertdb.Response{ExpertID: *expert, Code: *code, Accept: *accept, Pledge: *pledge, Reason: *reason, UnfamiliarField: *unfamiliar}
	return c.step(ctx, e, func(s *session) (*expertdb.CampaignView, error) {
		return s.svc.Respond(ctx, s.actor, c.requestID, r)
	})
}

func runCampaignExpire(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "campaign expire", "-request-id R [flags]", `
Close the notices whose deadline has passed (now, on the system clock) without an answer (recorded as no answer)
and notify the next experts of the continuing draw sequence; their notices are printed like
those of 'campaign start'.`)
	var c campaignFlags
	c.register(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	return c.step(ctx, e, func(s *session) (*expertdb.CampaignView, error) {
		return s.svc.Expire(ctx, s.actor, c.requestID)
	})
}

func runCampaignStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "campaign status", "-request-id R [flags]", `
Print the campaign: every notified expert in notification order with the state of the notice
(pending, accepted, declined, no answer …), and whether the panel is complete. Viewing is
recorded in the audit log (Art. 17).`)
	var c campaignFlags
	c.register(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	return c.step(ctx, e, func(s *session) (*expertdb.CampaignView, error) {
		return s.svc.Campaign(ctx, s.actor, c.requestID)
	})
}

func runCampaignDeliver(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "campaign deliver", "-request-id R [flags]", `
Send again every notice still awaiting a reply that was not delivered (the gateway refused it,
or the process stopped before sending it). Each gets a fresh reply code, printed like those
of 'campaign start'; any old code stops working.`)
	var c campaignFlags
	c.register(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	return c.step(ctx, e, func(s *session) (*expertdb.CampaignView, error) {
		return s.svc.Deliver(ctx, s.actor, c.requestID)
	})
}

func runCampaignResend(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "campaign resend", "-request-id R -expert E [flags]", `
Send one expert's pending notice again with a fresh reply code (the expert lost the message,
or it may have reached someone else); the old code stops working.`)
	var c campaignFlags
	c.register(fs)
	expert := fs.String("expert", "", "the expert ID (required)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *expert == "" {
		return usagef("-expert is required")
	}
	return c.step(ctx, e, func(s *session) (*expertdb.CampaignView, error) {
		return s.svc.Resend(ctx, s.actor, c.requestID, *expert)
	})
}
