package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
)

// A pool file is a list of applications (Art. 6): JSON (an array of admission.Application,
// as `expertctl synth` writes) or CSV with one application per row and these columns (the
// header row names them; order is free; unknown columns are an error):
var csvColumns = []string{
	"id", "name", "id_number", "mobile", "birth_date", "retirement_age",
	"org", "org_code", "org_kind", "department", "position",
	"title", "categories", "fields", "region", "credentials",
	"channel", "stamped_by", "proofs", "pledge_signed_at",
	"recommender", "recommender_code", "division", "approved_by", "approved_at",
	"source_database", "source_id",
}

// csvHelp documents the CSV columns for -h.
const csvHelp = `CSV columns (header row required; list cells separated by ";"; dates 2006-01-02):
  id, name, id_number, mobile, birth_date, retirement_age,
  org, org_code, org_kind (university|institute|enterprise|government|hospital|financial|other),
  department, position, title (0-4, or none|junior|intermediate|associate-senior|senior),
  categories (technical;management;strategy;economic), fields, region (GB/T 2260 code),
  credentials (kind or kind@date, e.g. political-quality;national-project-lead@2019-06-30),
  channel (application|recommendation|invitation|exchange) and its evidence:
    application:    stamped_by, proofs, pledge_signed_at
    recommendation: recommender, recommender_code
    invitation:     division, approved_by, approved_at
    exchange:       source_database, source_id`

// maxPoolFile bounds what readPool reads (64 MiB: far more than any expert database).
const maxPoolFile = 64 << 20

// readPool reads a pool file; format is "json", "csv" or "" (guess from the content).
func readPool(r io.Reader, format string) ([]admission.Application, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPoolFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPoolFile {
		return nil, fmt.Errorf("pool file larger than %d MiB", maxPoolFile>>20)
	}
	if format == "" {
		format = "csv"
		if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
			format = "json"
		}
	}
	switch format {
	case "json":
		var apps []admission.Application
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&apps); err != nil {
			return nil, fmt.Errorf("JSON pool: %w", err)
		}
		return apps, nil
	case "csv":
		return readCSV(bytes.NewReader(data))
	}
	return nil, fmt.Errorf("unknown pool format %q (json or csv)", format)
}

func readCSV(r io.Reader) ([]admission.Application, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("CSV pool: empty file")
	}
	if err != nil {
		return nil, fmt.Errorf("CSV pool: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !slices.Contains(csvColumns, h) {
			return nil, fmt.Errorf("CSV pool: unknown column %q", h)
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("CSV pool: column %q twice", h)
		}
		col[h] = i
	}
	for _, must := range []string{"id", "name", "channel"} {
		if _, ok := col[must]; !ok {
			return nil, fmt.Errorf("CSV pool: column %q is required", must)
		}
	}
	var apps []admission.Application
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return apps, nil
		}
		if err != nil {
			return nil, fmt.Errorf("CSV pool: %w", err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		app, err := csvApplication(get)
		if err != nil {
			return nil, fmt.Errorf("CSV pool line %d: %w", line, err)
		}
		apps = append(apps, app)
	}
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func csvDate(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(s) == len("2006-01-02") { // a calendar date: midnight UTC, as admission reads dates
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return t, nil
}

var titleNames = map[string]admission.TitleLevel{
	"none": admission.TitleNone, "junior": admission.Junior, "intermediate": admission.Intermediate,
	"associate-senior": admission.AssociateSenior, "senior": admission.Senior,
	"无": admission.TitleNone, "初级": admission.Junior, "中级": admission.Intermediate, "副高级": admission.AssociateSenior, "正高级": admission.Senior,
}

func csvApplication(get func(string) string) (admission.Application, error) {
	var errs []error
	date := func(name string) time.Time {
		t, err := csvDate(name, get(name))
		if err != nil {
			errs = append(errs, err)
		}
		return t
	}
	e := admission.Expert{ID: get("id"), Name: get("name"), IDNumber: get("id_number"), Mobile: get("mobile"),
		BirthDate: date("birth_date"), Region: get("region"), Fields: list(get("fields")),
		Affiliation: admission.Affiliation{Org: get("org"), OrgCode: get("org_code"), Kind: admission.OrgKind(get("org_kind")),
			Department: get("department"), Position: get("position")}}
	if s := get("retirement_age"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("retirement_age %q is not a number", s))
		}
		e.RetirementAge = n
	}
	if s := get("title"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			e.Title = admission.TitleLevel(n)
		} else if t, ok := titleNames[s]; ok {
			e.Title = t
		} else {
			errs = append(errs, fmt.Errorf("title %q is not a title level", s))
		}
	}
	for _, c := range list(get("categories")) {
		e.Categories = append(e.Categories, admission.Category(c))
	}
	for _, c := range list(get("credentials")) {
		kind, at, _ := strings.Cut(c, "@")
		cr := admission.Credential{Kind: strings.TrimSpace(kind)}
		if at != "" {
			t, err := csvDate("credential "+kind, strings.TrimSpace(at))
			if err != nil {
				errs = append(errs, err)
			}
			cr.Date = t
		}
		e.Credentials = append(e.Credentials, cr)
	}
	app := admission.Application{Channel: admission.Channel(get("channel")), Expert: e}
	switch app.Channel {
	case admission.ChannelApplication:
		app.Personal = &admission.PersonalEvidence{FormStampedBy: get("stamped_by"), Proofs: list(get("proofs")),
			PledgeSignedAt: date("pledge_signed_at")}
	case admission.ChannelRecommendation:
		app.Recommendation = &admission.Recommendation{Unit: get("recommender"), UnitCode: get("recommender_code")}
	case admission.ChannelInvitation:
		app.Invitation = &admission.DivisionInvitation{Division: get("division"), ApprovedBy: get("approved_by"),
			ApprovedAt: date("approved_at")}
	case admission.ChannelExchange:
		app.Exchange = &admission.ExchangeSource{Database: get("source_database"), SourceID: get("source_id")}
	default:
		errs = append(errs, fmt.Errorf("channel %q is not one of application, recommendation, invitation, exchange", app.Channel))
	}
	return app, errors.Join(errs...)
}

// writeCSV writes applications in the CSV form readCSV reads.
func writeCSV(w io.Writer, apps []admission.Application) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	for _, a := range apps {
		e := a.Expert
		v := map[string]string{
			"id": e.ID, "name": e.Name, "id_number": e.IDNumber, "mobile": e.Mobile, "birth_date": day(e.BirthDate),
			"org": e.Affiliation.Org, "org_code": e.Affiliation.OrgCode, "org_kind": string(e.Affiliation.Kind),
			"department": e.Affiliation.Department, "position": e.Affiliation.Position, "title": strconv.Itoa(int(e.Title)),
			"fields": strings.Join(e.Fields, ";"), "region": e.Region, "channel": string(a.Channel),
		}
		if e.RetirementAge != 0 {
			v["retirement_age"] = strconv.Itoa(e.RetirementAge)
		}
		var cats, creds []string
		for _, c := range e.Categories {
			cats = append(cats, string(c))
		}
		for _, c := range e.Credentials {
			s := c.Kind
			if !c.Date.IsZero() {
				s += "@" + day(c.Date)
			}
			creds = append(creds, s)
		}
		v["categories"], v["credentials"] = strings.Join(cats, ";"), strings.Join(creds, ";")
		switch {
		case a.Personal != nil:
			v["stamped_by"], v["proofs"], v["pledge_signed_at"] = a.Personal.FormStampedBy, strings.Join(a.Personal.Proofs, ";"), day(a.Personal.PledgeSignedAt)
		case a.Recommendation != nil:
			v["recommender"], v["recommender_code"] = a.Recommendation.Unit, a.Recommendation.UnitCode
		case a.Invitation != nil:
			v["division"], v["approved_by"], v["approved_at"] = a.Invitation.Division, a.Invitation.ApprovedBy, day(a.Invitation.ApprovedAt)
		case a.Exchange != nil:
			v["source_database"], v["source_id"] = a.Exchange.Database, a.Exchange.SourceID
		}
		row := make([]string, len(csvColumns))
		for i, c := range csvColumns {
			row[i] = v[c]
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
