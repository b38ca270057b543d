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
// Package kb imports no other package of supportd.
package kb
