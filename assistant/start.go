package assistant

import (
	"sort"
	"sync"

	"github.com/supportd/supportd/kb"
)

// Start is what the chat shows a customer who opens it, before any
// question: who answers and how to reach a person, the shop's topics
// leading to their questions, and the questions asked most.
type Start struct {
	Greeting string
	Topics   []Topic
	// Frequent are the articles answered most often since supportd
	// started, completed with those the editors marked featured.
	Frequent []ArticleRef
}

// Topic is a category of the knowledge base and its articles.
type Topic struct {
	Name     string
	Articles []ArticleRef
}

// Start screen sizes.
const (
	maxTopics        = 8
	maxTopicArticles = 8
	maxFrequent      = 5
	minAsked         = 2 // answers before an article counts as frequent
)

// StartScreen returns the start screen in lang: the topics and articles
// of that language, or of every language when it has none.
func (s *Service) StartScreen(lang string) Start {
	lang = replyLang(lang)
	st := Start{Greeting: texts[lang].greetingStart}
	var articles []*kb.Article
	for _, c := range kb.Catalog(s.cfg.Searcher.Articles(), lang, texts[lang].otherTopic) {
		articles = append(articles, c.Articles...)
		if len(st.Topics) == maxTopics {
			continue
		}
		topic := Topic{Name: c.Name}
		for _, a := range c.Articles[:min(len(c.Articles), maxTopicArticles)] {
			topic.Articles = append(topic.Articles, ArticleRef{ID: a.ID, Title: a.Title})
		}
		st.Topics = append(st.Topics, topic)
	}
	st.Frequent = s.frequent(articles)
	return st
}

// askedCounts counts the answers given with each article.
type askedCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// countAsked counts an answer given with an article.
func (s *Service) countAsked(id string) {
	s.asked.mu.Lock()
	defer s.asked.mu.Unlock()
	s.asked.n[id]++
}

// frequent returns the articles of the list answered most often (at
// least minAsked times), then the featured ones.
func (s *Service) frequent(articles []*kb.Article) []ArticleRef {
	s.asked.mu.Lock()
	counts := make(map[string]int, len(s.asked.n))
	for id, n := range s.asked.n {
		counts[id] = n
	}
	s.asked.mu.Unlock()
	ranked := make([]*kb.Article, 0, len(articles))
	for _, a := range articles {
		if counts[a.ID] >= minAsked {
			ranked = append(ranked, a)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return counts[ranked[i].ID] > counts[ranked[j].ID] })
	var out []ArticleRef
	seen := map[string]bool{}
	add := func(a *kb.Article) {
		if len(out) < maxFrequent && !seen[a.ID] {
			seen[a.ID] = true
			out = append(out, ArticleRef{ID: a.ID, Title: a.Title})
		}
	}
	for _, a := range ranked {
		add(a)
	}
	for _, a := range articles {
		if a.Featured {
			add(a)
		}
	}
	return out
}
