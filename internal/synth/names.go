package synth

// Surnames, weighted roughly by their frequency in Wenzhou (陈, 林, 黄, 王, 李 … lead there).
var surnames = []struct {
	name   string
	weight int
}{
	{"陈", 120}, {"林", 80}, {"黄", 60}, {"王", 60}, {"李", 50}, {"张", 50}, {"吴", 45}, {"郑", 45},
	{"周", 40}, {"潘", 35}, {"徐", 35}, {"金", 30}, {"胡", 30}, {"朱", 28}, {"叶", 28}, {"杨", 25},
	{"刘", 25}, {"蔡", 20}, {"洪", 18}, {"谢", 18}, {"项", 15}, {"池", 12}, {"董", 12}, {"戴", 12},
	{"薛", 10}, {"卢", 10}, {"孙", 10}, {"赵", 10}, {"何", 10}, {"余", 10}, {"程", 8}, {"方", 8},
	{"姜", 8}, {"钱", 8}, {"高", 8}, {"邵", 7}, {"苏", 7}, {"彭", 7}, {"虞", 6}, {"季", 6},
	{"麻", 5}, {"倪", 5}, {"缪", 5}, {"章", 5}, {"夏", 5}, {"柯", 4}, {"包", 4}, {"厉", 4},
	{"滕", 3}, {"瞿", 3},
}

// compoundSurnames are two-character surnames (复姓). About one expert in eighty has one, so
// that masking (欧阳**) and name handling see them.
var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "夏侯", "端木", "公孙", "皇甫"}

// Given-name characters. Names are fictional combinations; any resemblance to a real person is
// a coincidence of common characters.
var (
	givenMale = []string{
		"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "斌", "浩", "鹏", "辉", "华", "建",
		"志", "国", "文", "宇", "晨", "海", "峰", "俊", "凯", "毅", "胜", "坚", "瑞", "立", "骏",
		"宏", "振", "荣", "晓", "东", "平", "松", "林", "锋", "成", "德", "安", "忠", "清", "远",
	}
	givenFemale = []string{
		"芳", "娜", "敏", "静", "丽", "艳", "霞", "婷", "雪", "琳", "颖", "洁", "倩", "慧", "佳",
		"燕", "萍", "红", "玲", "晶", "丹", "蕾", "莹", "璐", "琴", "云", "薇", "瑶", "蓉", "岚",
		"晓", "雅", "欣", "悦", "怡", "思", "文", "宁", "清", "月", "秀", "君", "梅", "兰", "珊",
	}
)

// personName returns a fictional name: a surname (sometimes compound) and a given name of one
// or two characters drawn from the pool of the person's sex.
func personName(r *rng, female bool) string {
	var s string
	if r.chance(1, 80) {
		s = pick(r, compoundSurnames)
	} else {
		ws := make([]int, len(surnames))
		for i, x := range surnames {
			ws[i] = x.weight
		}
		s = surnames[r.weighted(ws)].name
	}
	pool := givenMale
	if female {
		pool = givenFemale
	}
	g := pick(r, pool)
	if r.chance(7, 10) {
		second := pick(r, pool)
		for second == g {
			second = pick(r, pool)
		}
		g += second
	}
	return s + g
}
