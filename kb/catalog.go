package kb

// Category is a category of the knowledge base with its articles, as a
// help centre lists them.
type Category struct {
	// Name is the articles' category, or the caller's name for articles
	// without one.
	Name     string
	Articles []*Article
}

// Catalog returns the articles in lang — all of them when none is in
// lang — by category, in the order of the articles given (see
// [Base.Articles]); the articles without a category go under other.
func Catalog(articles []*Article, lang, other string) []Category {
	var in []*Article
	for _, a := range articles {
		if a.Lang == lang {
			in = append(in, a)
		}
	}
	if len(in) == 0 {
		in = articles
	}
	var out []Category
	index := map[string]int{}
	for _, a := range in {
		name := a.Category
		if name == "" {
			name = other
		}
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, Category{Name: name})
		}
		out[i].Articles = append(out[i].Articles, a)
	}
	return out
}
