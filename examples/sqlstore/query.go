package sqlstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

var _ expertdb.ExpertQuerier = (*ExpertStore)(nil)

// The query columns of schema version 4, written with every profile (PutMany).
const (
	queryColumnNames  = `, name, org, region, title_rank, admitted_at, categories, fields`
	queryColumnParams = `, $6, $7, $8, $9, $10, $11, $12`
	queryColumnSet    = `, name = excluded.name, org = excluded.org, region = excluded.region, title_rank = excluded.title_rank,
	admitted_at = excluded.admitted_at, categories = excluded.categories, fields = excluded.fields`
)

// queryColumns are the values of the query columns of e, in the order of queryColumnNames.
func queryColumns(e admission.Expert) []any {
	var admitted any
	if at, ok := expertdb.AdmittedAt(e); ok {
		admitted = at.Unix()
	}
	cats := make([]string, len(e.Categories))
	for i, c := range e.Categories {
		cats[i] = string(c)
	}
	return []any{e.Name, e.Affiliation.Org, e.Region, int(e.Title), admitted, hexSet(cats), hexSet(e.Fields)}
}

// hexSet encodes values for the categories and fields columns: "|hex1|hex2|", "" for none.
func hexSet(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('|')
	for _, v := range vs {
		b.WriteString(hex.EncodeToString([]byte(v)))
		b.WriteByte('|')
	}
	return b.String()
}

// where renders f as a WHERE clause over the query columns, with placeholders from $1 on
// (never the filter's text in the SQL), and its arguments.
func (s *ExpertStore) where(f expertdb.ExpertFilter) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	contains := func(col, sub string) string { // substring test, bytewise as strings.Contains
		if s.db.engine == Postgres {
			return "strpos(" + col + ", " + sub + ") > 0"
		}
		return "instr(" + col + ", " + sub + ") > 0"
	}
	if f.Status != "" {
		conds = append(conds, "status = "+arg(string(f.Status)))
	}
	if f.Category != "" {
		conds = append(conds, contains("categories", arg(hexSet([]string{string(f.Category)}))))
	}
	if f.Field != "" {
		conds = append(conds, contains("fields", arg(hexSet([]string{f.Field}))))
	}
	if f.MinTitle > 0 {
		conds = append(conds, "title_rank >= "+arg(int(f.MinTitle)))
	}
	if f.Unit != "" {
		conds = append(conds, "org = "+arg(f.Unit))
	}
	if f.Region != "" {
		n := arg(len(f.Region))
		conds = append(conds, "substr(region, 1, "+n+") = "+arg(f.Region))
	}
	if f.Text != "" {
		t := arg(f.Text)
		conds = append(conds, "("+contains("name", t)+" OR "+contains("org", t)+")")
	}
	if f.IDNumber != "" {
		want, ok := admission.NormalizeIDNumber(f.IDNumber)
		if !ok {
			conds = append(conds, "1 = 0")
		} else {
			conds = append(conds, "id_number = "+arg(want))
		}
	}
	if !f.AdmittedSince.IsZero() {
		conds = append(conds, "admitted_at >= "+arg(f.AdmittedSince.Unix()))
	}
	if !f.UpdatedSince.IsZero() {
		conds = append(conds, "updated_at >= "+arg(f.UpdatedSince.Unix()))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// idOrder makes ID comparisons and ordering byte order on both engines (PostgreSQL's
// default collation may be a language's).
func (s *ExpertStore) idOrder() string {
	if s.db.engine == Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// QueryExperts implements expertdb.ExpertQuerier with one SELECT: WHERE on the query
// columns of schema version 4, ID after q.After, ORDER BY id, LIMIT q.Limit. A row written by
// another program without the query columns is not found by a filter on them.
func (s *ExpertStore) QueryExperts(ctx context.Context, q expertdb.ExpertQuery) ([]admission.Expert, error) {
	w, args := s.where(q.Filter)
	if q.After != "" {
		args = append(args, q.After)
		cond := "id" + s.idOrder() + " > $" + strconv.Itoa(len(args))
		if w == "" {
			w = " WHERE " + cond
		} else {
			w += " AND " + cond
		}
	}
	query := `SELECT data FROM {experts}` + w + ` ORDER BY id` + s.idOrder()
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += ` LIMIT $` + strconv.Itoa(len(args))
	}
	rows, err := s.db.conn(ctx).QueryContext(ctx, s.db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: query experts: %w", err)
	}
	defer rows.Close()
	var out []admission.Expert
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlstore: query experts: %w", err)
		}
		var e admission.Expert
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("sqlstore: query experts: decode: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: query experts: %w", err)
	}
	return out, nil
}

// CountExperts implements expertdb.ExpertQuerier: SELECT count(*) with the same WHERE.
func (s *ExpertStore) CountExperts(ctx context.Context, f expertdb.ExpertFilter) (int, error) {
	w, args := s.where(f)
	var n int
	if err := s.db.conn(ctx).QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM {experts}`+w), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count experts: %w", err)
	}
	return n, nil
}

// Reindex writes the query columns of every row (schema version 4) by rewriting each
// profile, in batches of 1000. Open does it once when it applies migration 4; a team that
// applies the SQL files with its own tool (Options.VerifyOnly) calls it once after
// 0004_queries, and again after another program wrote profiles without the columns.
func (s *ExpertStore) Reindex(ctx context.Context) error {
	after := ""
	for {
		batch, err := s.QueryExperts(ctx, expertdb.ExpertQuery{After: after, Limit: 1000})
		if err != nil {
			return fmt.Errorf("sqlstore: reindex experts: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := s.PutMany(ctx, batch); err != nil {
			return fmt.Errorf("sqlstore: reindex experts: %w", err)
		}
		after = batch[len(batch)-1].ID
	}
}
