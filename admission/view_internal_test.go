package admission

import (
	"reflect"
	"testing"
	"time"
)

// clearView and ViewInto set the fields of ExpertView one by one: a field added to the view
// must be added to both. This fills every field and checks that clearView leaves none set
// (the five refilled lists keep their arrays, emptied) and that ViewInto overwrites all.
func TestClearViewZeroesEveryField(t *testing.T) {
	var v ExpertView
	fillEveryField(reflect.ValueOf(&v).Elem())
	clearView(&v)
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() == reflect.Slice && f.Len() == 0 {
			switch rv.Type().Field(i).Name {
			case "Past", "Categories", "Credentials", "Trainings", "ExitReasons":
				continue // the array is kept for the next ViewInto
			}
		}
		if !f.IsZero() {
			t.Errorf("clearView left ExpertView.%s set", rv.Type().Field(i).Name)
		}
	}
	fillEveryField(reflect.ValueOf(&v).Elem())
	var e Expert
	e.ViewInto(&v)
	if want := e.View(); !reflect.DeepEqual(want, v) {
		t.Errorf("ViewInto over a full view = %+v, want %+v", v, want)
	}
}

func fillEveryField(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2020, 1, 2, 0, 0, 0, 0, time.FixedZone("X", 3600))))
			return
		}
		for i := range v.NumField() {
			fillEveryField(v.Field(i))
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillEveryField(s.Index(0))
		v.Set(s)
	default:
		panic("fillEveryField: " + v.Kind().String())
	}
}

// copyFields with every field's bit (not AllViewFields, which copies whole) copies every
// field: a field added to ExpertView must get a bit.
func TestCopyFieldsCoversEveryField(t *testing.T) {
	var src, dst ExpertView
	fillEveryField(reflect.ValueOf(&src).Elem())
	every := vfID | vfName | vfRegion | vfStatus | vfTitle | vfRetirementAge | vfBirthDate | vfUpdatedAt |
		vfAffiliation | vfPast | vfCategories | vfFields | vfTags | vfCredentials | vfRecords | vfTrainings | vfExitReasons
	copyFields(&dst, &src, every)
	if !reflect.DeepEqual(src, dst) {
		t.Errorf("copyFields missed a field: %+v, want %+v", dst, src)
	}
	for _, name := range []string{"ID", "Name", "Region", "Status", "Title", "RetirementAge", "BirthDate", "UpdatedAt",
		"Affiliation", "Past", "Categories", "Fields", "Tags", "Credentials", "Records", "SeriousRecords",
		"AdverseRecords", "Trainings", "ExitReasons"} {
		if viewField(name) == AllViewFields || viewField(name)&every == 0 {
			t.Errorf("field %s has no bit", name)
		}
	}
	if n := reflect.TypeFor[ExpertView]().NumField(); n != 19 {
		t.Errorf("ExpertView has %d fields: give the new ones a bit in viewField, ViewIntoFields and copyFields", n)
	}
}
