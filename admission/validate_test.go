package admission_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
)

func TestValidateAcceptsAGoodProfile(t *testing.T) {
	require.NoError(t, admission.Validate(technicalExpert()))
}

func TestValidateFields(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*admission.Expert)
		field  string
		code   string
		msgHas string
	}{
		{"missing ID", func(e *admission.Expert) { e.ID = "" }, "ID", "required", "专家编号为必填字段"},
		{"missing name", func(e *admission.Expert) { e.Name = "" }, "Name", "required", "姓名为必填字段"},
		{"name too long", func(e *admission.Expert) { e.Name = strings.Repeat("张", 51) }, "Name", "max", "姓名长度不能超过50"},
		{"bad ID checksum", func(e *admission.Expert) { e.IDNumber = "330302197005201230" }, "IDNumber", "idnumber", "身份证号码格式不正确"},
		{"ID birth date disagrees", func(e *admission.Expert) { e.BirthDate = day(1970, 5, 21) }, "IDNumber", "idbirth", "身份证号码中的出生日期与填报的出生日期不一致"},
		{"bad mobile", func(e *admission.Expert) { e.Mobile = "12812345678" }, "Mobile", "mobile", "手机号码格式不正确"},
		{"bad unit code", func(e *admission.Expert) { e.Affiliation.OrgCode = "91350100M000100Y44" }, "Affiliation.OrgCode", "uscc", "工作单位的统一社会信用代码格式不正确"},
		{"bad past unit code", func(e *admission.Expert) {
			e.Past = []admission.Affiliation{{Org: "甲"}, {Org: "乙", OrgCode: "X"}}
		}, "Past[1].OrgCode", "uscc", "曾任职单位第2项的统一社会信用代码格式不正确"},
		{"missing unit", func(e *admission.Expert) { e.Affiliation.Org = "" }, "Affiliation.Org", "required", "工作单位的单位名称为必填字段"},
		{"bad unit kind", func(e *admission.Expert) { e.Affiliation.Kind = "school" }, "Affiliation.Kind", "oneof", "工作单位的单位类型必须是"},
		{"title out of range", func(e *admission.Expert) { e.Title = 5 }, "Title", "max", "职称等级"},
		{"negative retirement age", func(e *admission.Expert) { e.RetirementAge = -1 }, "RetirementAge", "min", "法定退休年龄"},
		{"region not six digits", func(e *admission.Expert) { e.Region = "3303" }, "Region", "len", "行政区划代码长度必须是6"},
		{"region with sign", func(e *admission.Expert) { e.Region = "+33030" }, "Region", "number", "行政区划代码"},
		{"bad status", func(e *admission.Expert) { e.Status = "retired" }, "Status", "oneof", "入库状态"},
		{"credential without kind", func(e *admission.Expert) { e.Credentials = append(e.Credentials, admission.Credential{}) }, "Credentials[1].Kind", "required", "资质第2项的资质类型为必填字段"},
		{"record without kind", func(e *admission.Expert) { e.Records = []admission.Record{{Serious: true}} }, "Records[0].Kind", "required", "诚信记录第1项的记录类型"},
		{"bad exit reason", func(e *admission.Expert) { e.Exits = []admission.Exit{{Reason: "tired"}} }, "Exits[0].Reason", "oneof", "出库记录第1项的出库原因"},
		{"bad training kind", func(e *admission.Expert) { e.Trainings = []admission.Training{{Kind: "golf"}} }, "Trainings[0].Kind", "oneof", "培训记录第1项的培训内容"},
		{"bad entry channel", func(e *admission.Expert) { e.Entries = []admission.Entry{{Channel: "door"}} }, "Entries[0].Channel", "oneof", "入库记录第1项的入库方式"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := technicalExpert()
			c.edit(&e)
			err := admission.Validate(e)
			var ve *admission.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Fields, 1, "%v", err)
			f := ve.Fields[0]
			assert.Equal(t, c.field, f.Field)
			assert.Equal(t, c.code, f.Code)
			assert.Contains(t, f.Message, c.msgHas)
			assert.True(t, strings.HasPrefix(err.Error(), "admission: "), err.Error())
			assert.True(t, ve.Has(c.field))
		})
	}
}

func TestValidateListsEveryBadField(t *testing.T) {
	e := technicalExpert()
	e.Name = ""
	e.IDNumber = "330302197005201230"
	e.Mobile = "1381234567"
	e.Affiliation.OrgCode = "ABC"
	e.Region = "x"
	err := admission.Validate(e)
	var ve *admission.ValidationError
	require.ErrorAs(t, err, &ve)
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"Name", "IDNumber", "Mobile", "Affiliation.OrgCode", "Region"}, fields)
	for _, label := range []string{"姓名", "身份证号码", "手机号码", "统一社会信用代码", "行政区划代码"} {
		assert.Contains(t, err.Error(), label)
	}
}

func TestValidateNeverEchoesPersonalData(t *testing.T) {
	e := technicalExpert()
	e.IDNumber = "330302197005201230" // bad checksum
	e.Mobile = "1381234567899"        // too long
	err := admission.Validate(e)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "330302197005201230")
	assert.NotContains(t, err.Error(), "20197005")
	assert.NotContains(t, err.Error(), "1381234567899")
	assert.NotContains(t, err.Error(), "12345678")

	e = technicalExpert()
	e.BirthDate = day(1971, 1, 1) // disagreeing with a valid ID number
	err = admission.Validate(e)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), technicalExpert().IDNumber)
	assert.NotContains(t, err.Error(), "19700520")
}

func TestValidateBirthDateComparedAsCalendarDate(t *testing.T) {
	e := technicalExpert()
	// 1970-05-20 00:30 in UTC+8 is 1970-05-19 in UTC; the calendar date in its own zone counts.
	e.BirthDate = time.Date(1970, 5, 20, 0, 30, 0, 0, time.FixedZone("CST", 8*3600))
	require.NoError(t, admission.Validate(e))
}

func TestValidateOptionalFieldsMayBeEmpty(t *testing.T) {
	e := admission.Expert{ID: "E9", Name: "李四", Affiliation: admission.Affiliation{Org: "某单位"}}
	require.NoError(t, admission.Validate(e))
}

func TestValidationErrorIsNotASentinel(t *testing.T) {
	e := technicalExpert()
	e.Name = ""
	err := admission.Validate(e)
	var ve *admission.ValidationError
	assert.True(t, errors.As(err, &ve))
	assert.False(t, ve.Has("Mobile"))
}
