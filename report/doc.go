// Package report renders the printable draw record (专家抽取记录表) of a draw made by the
// expertdb Service, and the yearly statistics of the database (see "Yearly statistics"). The
// draw record is one self-contained HTML page per draw (inline CSS, no scripts, no external
// assets, laid out for A4) that a using unit files with the activity and a third party — the
// discipline office (局机关纪委), an applicant, an auditor — can check.
//
// The page shows, for the draw request of Art. 13: the request (ID, using unit, activity date,
// size, criteria, quotas and group caps, the project's recusal requirements); the method and
// its approvals (the preferential picks with their plan approved by the deputy leader and
// filed with the discipline office, Art. 14(1); invited experts with their approval chain,
// Art. 12, 28); the public entropy, its RFC 3797 key string, the algorithm and mode, the
// request digest, the pool digest and the key (docs/draw-v1.md); the exclusions summarised by
// article and code (Art. 5, 14, 15); the ordered sequence with each notice and response and
// the redraws (Art. 14(2)); the final panel; the audit checkpoint and the inclusion proof of
// the draw event (Art. 17); and how to replay the draw with expertctl.
//
// # Yearly statistics (Art. 17, 23, 25, 26)
//
// Year computes a calendar year's statistics from the database's records — expert records
// (with their entries and exits), ratings, participation records and campaign outcomes — as
// data (Yearly): usage per expert, per unit (the experts' units, Art. 23) and per county that
// drew (Art. 13) and per using unit (Art. 21); participation, decline and no-show rates as exact
// fractions, with the accepted seats whose attendance the using unit has not recorded
// (Service.RecordAttendance, Art. 8(2)) reported as unrecorded, never as attended; the rating distribution;
// next year's preferential-eligible list (excellent rate strictly above 30%, integers only,
// Art. 25); the year's admissions and exits (Art. 6, 10, 11). Year is a pure function: no
// clock, no I/O, independent of the order of its input. Yearly.WriteCSV writes it as one CSV
// table, and RenderYearly as a printable HTML page with charts in inline SVG (no script, no
// external asset). Names are masked everywhere. docs/yearly-report.png is a screenshot of the
// page rendered by headless Chromium, as the tests take it.
//
// # Personal data (Art. 20)
//
// The page is meant to leave the system, so it carries no personal data unmasked: names of
// experts and project members are masked (张*, 欧阳**), no ID number or mobile is shown, and free
// text (reasons, plan text) is scrubbed of anything that looks like a mobile or ID number.
// Officials who acted — the operator who drew, the approvers — are named, because they answer
// for the draw (Art. 18, 21: 谁使用、谁负责，谁授权、谁负责). The draw record JSON needed to replay
// the draw does hold the experts' profiles; it is for the discipline office, not for the file.
//
// # Checking the rendering
//
// Tests check the content and the escaping without a browser. To look at the page as printed,
// render it and take a screenshot with headless Chromium:
//
//	go run ./examples/quickstart -html /tmp/draw.html
//	chromium --headless --no-sandbox --disable-gpu --window-size=1240,1754 \
//	    --screenshot=/tmp/draw.png file:///tmp/draw.html
//	chromium --headless --no-sandbox --disable-gpu --print-to-pdf=/tmp/draw.pdf file:///tmp/draw.html
package report
