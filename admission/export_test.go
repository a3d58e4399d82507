package admission

// FullView makes the pooled environments of r fill every field of the view, as before the
// rules' fields were known: the reference the masked view is tested against.
func FullView(r *Rules) { r.c.view = AllViewFields }

// ViewFilled reports whether the pooled environments of r fill every field of the view.
func ViewFilled(r *Rules) bool { return r.c.view == AllViewFields }
