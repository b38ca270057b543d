// Package kb turns a folder of markdown FAQ articles into a searchable
// knowledge base.
//
// Content editors keep one article per *.md file, with a YAML front matter
// (id, title, category, tags, questions, lang, updated, status) followed by
// a markdown body. [Load] reads such a folder and reports every problem it
// finds as a [Problem] with the file and line; [Build] indexes the published
// articles with Bleve, using an analysis chain per language (French by
// default, English too) and a customer-service lexicon of synonyms; and
// [Base] keeps the current index, rebuilding it in the background when the
// files change and swapping it in atomically so that searches never fail.
//
// # How a search goes
//
// The question is analysed, in each language of the articles, into
// concepts: its words, spelling corrected against the articles' words, the
// lexicon's phrases and synonyms, and the thesaurus's synonyms that some
// article uses. Bleve's index, one field of the articles' analysed terms,
// gives the 40 articles that best match the query's rarer terms by Bleve's
// TF-IDF score, read from its postings; those are scored against the
// article's fields (the share of the concepts covered, BM25F, the likeness
// of the title and questions to the question) and the best returned. A
// [Base] keeps the hits of its index's recent searches.
//
// # Updates that cost the change, not the knowledge base
//
// Each article's analysis depends on its file alone (path and content,
// whose SHA-256 identifies it). A reload reads again only the files whose
// size or time of change moved (or, from [Base.Watch], only the paths the
// file system named), analyses only the articles whose file changed,
// updates the counts the search needs (document frequencies, vocabulary,
// lengths) by the difference, and tells Bleve, whose index is shared by
// the successive indexes, of the difference in one batch. An index built
// so equals one built from scratch (TestIncrementalMatchesFullBuild).
//
// With [Config.IndexDir], Bleve's index is kept in that folder with a
// manifest of the files it holds and of the counts. A start whose files
// all have the manifest's sums opens it as it is and analyses an article
// only when a search first retrieves it; a start with changed files
// analyses every article again, for the counts, but writes to Bleve only
// the difference; a folder in doubt (another token, format or build, a
// spoilt file) is made again. The markdown stays the source of truth.
//
// Package kb imports no other package of supportd.
package kb
