package admission

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-playground/locales/zh"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	zhtrans "github.com/go-playground/validator/v10/translations/zh"
)

// FieldError is one invalid field of a profile.
type FieldError struct {
	// Field is the Go path of the field below Expert, e.g. "IDNumber" or "Past[0].OrgCode".
	Field string `json:"field"`
	// Label is the Chinese name of the field, e.g. "身份证号码" or "曾任职单位第1项的统一社会信用代码".
	Label string `json:"label"`
	// Code is the failed check: a validator tag ("required", "max", "oneof", …), one of the
	// custom tags "idnumber", "mobile", "uscc", or "idbirth" when the birth date in the ID
	// number disagrees with BirthDate.
	Code string `json:"code"`
	// Message is the Chinese message naming the field. It never contains the field's value.
	Message string `json:"message"`
	// Article is the article the check enforces: "Art. 17" for the expert ID (ValidExpertID:
	// the ID names the expert in every audit record and draw digest, 全程留痕、可追溯), "Art. 6"
	// for the other fields (the information an application must give truthfully).
	Article string `json:"article"`
}

// ValidationError lists every invalid field of a profile. Validate returns it; read it with
// errors.As. Neither its fields nor its message ever contain the submitted values, so an ID
// number or mobile never leaks through an error or a log line.
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

// Error implements error: "admission: invalid expert: " and the Chinese messages, joined by "；".
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Message
	}
	return "admission: invalid expert: " + strings.Join(msgs, "；")
}

// Has reports whether the error lists field (its Go path, e.g. "Mobile").
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// validation is the validator and its Chinese translator, built once and never changed
// afterwards (validator.Validate is safe for concurrent use once configured).
type validation struct {
	v     *validator.Validate
	trans ut.Translator
}

var theValidation = sync.OnceValue(newValidation)

// customMessages are the Chinese messages of the custom tags; {0} is the field label.
func customMessages() map[string]string {
	return map[string]string{
		"idnumber": "{0}格式不正确：须为18位公民身份号码（GB 11643-1999），出生日期有效、末位校验码正确，校验码X须大写",
		"mobile":   "{0}格式不正确：须为11位中国大陆手机号码（1开头，第二位为3至9），不含区号、空格或连字符",
		"uscc":     "{0}格式不正确：须为18位统一社会信用代码（GB 32100-2015），不含字母I、O、S、V、Z，末位校验码正确",
		"idbirth":  "{0}中的出生日期与填报的出生日期不一致，请核对",
		"expertid": "{0}格式不正确：须为1至64个字符，只能使用英文字母、数字和 . _ : - ，并以字母或数字开头（不能含汉字、空格、控制字符或全角字符），连续数字不超过10位（不得使用手机号码或身份证号码作编号）",
	}
}

func newValidation() validation {
	loc := zh.New()
	trans, _ := ut.New(loc, loc).GetTranslator("zh")
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if l := f.Tag.Get("label"); l != "" {
			return l
		}
		return f.Name
	})
	must := func(err error) {
		if err != nil {
			panic("admission: configuring the validator: " + err.Error())
		}
	}
	must(v.RegisterValidation("idnumber", func(fl validator.FieldLevel) bool { return ValidIDNumber(fl.Field().String()) }))
	must(v.RegisterValidation("mobile", func(fl validator.FieldLevel) bool { return ValidMobile(fl.Field().String()) }))
	must(v.RegisterValidation("uscc", func(fl validator.FieldLevel) bool { return ValidUSCC(fl.Field().String()) }))
	must(v.RegisterValidation("expertid", func(fl validator.FieldLevel) bool { return ValidExpertID(fl.Field().String()) }))
	v.RegisterStructValidation(expertLevel, Expert{})
	must(zhtrans.RegisterDefaultTranslations(v, trans))
	for tag, msg := range customMessages() {
		must(v.RegisterTranslation(tag, trans,
			func(t ut.Translator) error { return t.Add(tag, msg, true) },
			func(t ut.Translator, fe validator.FieldError) string {
				s, err := t.T(tag, fe.Field())
				if err != nil {
					return fe.Field() + "格式不正确"
				}
				return s
			}))
	}
	return validation{v: v, trans: trans}
}

// expertLevel checks what spans fields: the birth date in a valid ID number must agree with
// BirthDate (compared as calendar dates, BirthDate read in its own location). The reported
// value is empty so that the ID number never travels inside the error.
func expertLevel(sl validator.StructLevel) {
	e, ok := sl.Current().Interface().(Expert)
	if !ok || e.BirthDate.IsZero() || !ValidIDNumber(e.IDNumber) {
		return
	}
	born, _ := IDBirthDate(e.IDNumber)
	y, m, d := e.BirthDate.Date()
	if born.Year() != y || born.Month() != m || born.Day() != d {
		sl.ReportError("", "身份证号码", "IDNumber", "idbirth", "")
	}
}

// Validate checks a profile field by field and returns nil or a *ValidationError listing
// every invalid field with a Chinese message naming it (translations/zh of
// go-playground/validator, field names from the `label` struct tags):
//
//   - IDNumber: an 18-character resident ID number with a valid GB 11643-1999 checksum
//     (ValidIDNumber), whose birth date agrees with BirthDate when both are given;
//   - Mobile: a mainland mobile number (ValidMobile);
//   - OrgCode of the current and past units: a GB 32100-2015 unified social credit code
//     (ValidUSCC);
//   - ID: an expert ID of the documented character set (ValidExpertID, code "expertid",
//     Art. 17);
//   - lengths, enumerations (unit kind, status, exit reason, training kind, entry channel),
//     the title level and the six-digit region code.
//
// Validate never panics and never echoes an ID number or mobile. It does not decide
// eligibility; see Check.
func Validate(e Expert) error {
	val := theValidation()
	err := val.v.Struct(e)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return &ValidationError{Fields: []FieldError{{Field: "", Label: "专家信息", Code: "invalid",
			Message: "专家信息无法校验"}}}
	}
	out := &ValidationError{Fields: make([]FieldError, 0, len(verrs))}
	for _, fe := range verrs {
		field := strings.TrimPrefix(fe.StructNamespace(), "Expert.")
		label := chineseLabel(fe.Namespace())
		msg := fe.Translate(val.trans)
		if name := fe.Field(); label != name {
			if strings.HasPrefix(msg, name) {
				msg = label + strings.TrimPrefix(msg, name)
			} else {
				msg = label + "：" + msg
			}
		}
		art := "Art. 6"
		if field == "ID" {
			art = "Art. 17"
		}
		out.Fields = append(out.Fields, FieldError{Field: field, Label: label, Code: fe.Tag(), Message: msg, Article: art})
	}
	return out
}

// MaxExpertIDLength is the longest expert ID, in bytes.
const MaxExpertIDLength = 64

// ValidExpertID reports whether id may name an expert: 1 to MaxExpertIDLength (64) bytes of
// ASCII letters, digits and the four marks . _ : - , the first a letter or digit, and no
// run of more than MaxIDDigitRun (10) digits, hyphens inside the run not counting as a
// break. Examples: "E001", "wz-2024-0001", "ZJ:330300.17"; refused: "专家1", "E 001",
// "E\x00", "-E1", "13812345678", "330302-19900101-1234".
//
// Why (Art. 17, every operation traced and traceable): the ID names the expert in every
// audit record, in the draw's pool digest (one ID per line, docs/draw-v1.md §2), in notices
// and on the command line of expertctl. A control character or a line break would forge a
// digest line, invisible, full-width or look-alike characters would let two IDs read the
// same to an operator, a leading '-' reads as a command-line flag, and very long IDs bloat
// every record. The digit rule keeps a mobile or resident ID number (11 and 18 digits, also
// written with hyphens) from becoming an ID that every audit record would carry (Art. 19,
// 20; the audit log refuses such text). Validate refuses any other ID (code "expertid"), so
// Admit never stores one;
// a draw excludes a stored record whose ID is not valid (code "expert-id") instead of
// failing as a whole.
func ValidExpertID(id string) bool {
	if len(id) == 0 || len(id) > MaxExpertIDLength {
		return false
	}
	run := 0 // digits in the current run, hyphens skipped
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case '0' <= c && c <= '9':
			if run++; run > MaxIDDigitRun {
				return false
			}
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
			run = 0
		case i > 0 && c == '-':
		case i > 0 && (c == '.' || c == '_' || c == ':'):
			run = 0
		default:
			return false
		}
	}
	return true
}

// MaxIDDigitRun is the longest run of digits in an expert ID (hyphens inside a run do not
// end it): shorter than any mobile (11 digits) or ID number.
const MaxIDDigitRun = 10

// chineseLabel turns a validator namespace such as "Expert.曾任职单位[0].统一社会信用代码" into
// "曾任职单位第1项的统一社会信用代码".
func chineseLabel(ns string) string {
	parts := strings.Split(ns, ".")
	if len(parts) > 1 {
		parts = parts[1:]
	}
	for i, p := range parts {
		open := strings.IndexByte(p, '[')
		if open < 0 || !strings.HasSuffix(p, "]") {
			continue
		}
		n, err := strconv.Atoi(p[open+1 : len(p)-1])
		if err != nil {
			continue
		}
		parts[i] = p[:open] + "第" + strconv.Itoa(n+1) + "项"
	}
	return strings.Join(parts, "的")
}
