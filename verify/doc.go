// Package verify checks a draw the way an outside inspector does: from a bundle holding the
// public draw record (selection.PublicRecord), the draw event's audit record with its
// inclusion proof, the signed checkpoint and the log's verifier key (docs/draw-v1.md §11.4)
// and, in a version 2 bundle (§15), the commit event the draw names (Art. 14(1): the
// candidates, the request and the source of the public random numbers fixed before those
// numbers existed), the campaign's seat events (Art. 14(2): each refill from the original
// sequence, selection.PublicCampaign) and the export event (Art. 17, 22: the bundle's own
// hand-out is recorded), each proved under the same checkpoint. expertdb.Service.ExportBundle
// writes the bundle. A practice draw fails the "formal" check (练习抽取，非正式抽取).
//
// The same checks run in a browser: verify/index.html is a second, independent
// implementation in plain JavaScript, written from docs/draw-v1.md, that an inspector of the
// discipline office (局机关纪委, Art. 16–18 of the Wenzhou Measures: every operation traced,
// appealable and queryable) opens from a file, with no server and no network. This package
// is the Go replay the page is compared with (the differential test in this directory runs
// the page in headless Chromium on random and tampered bundles).
//
// What is checked is the chance part of a draw (Art. 14(1) random draw, Art. 14(2) redraws
// from the same sequence, Art. 12 and 28 invited experts, Art. 14(1) and 25 preferential
// picks within their share), that the draw is the one recorded in the signed audit log
// (Art. 17 全程留痕), that it was committed before its chance existed, and that its refills
// are the sequence's. The screening (Art. 5, 13, 15) is stated by the public record, not
// recomputed: it is disputed on its facts (Art. 17 appeals).
package verify
