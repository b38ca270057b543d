package kb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkSearch measures one search on a generated knowledge base of
// 2,000 articles, cycling through typical customer questions.
func BenchmarkSearch(b *testing.B) {
	c, _, err := Load(generatedFS(2000))
	if err != nil {
		b.Fatal(err)
	}
	ix, err := Build(c)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, genQueries[i%len(genQueries)], 3); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearchLatency reports the median and 99th percentile of single
// searches, which b.N averages hide.
func BenchmarkSearchLatency(b *testing.B) {
	c, _, err := Load(generatedFS(2000))
	if err != nil {
		b.Fatal(err)
	}
	ix, err := Build(c)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	var samples []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := ix.Search(ctx, genQueries[i%len(genQueries)], 3); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
		i++
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(samples[len(samples)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkBuild measures a full load and index of 2,000 articles from
// disk.
func BenchmarkBuild(b *testing.B) {
	dir := writeKB(b, generateKB(2000, 1))
	fsys := os.DirFS(dir)
	for b.Loop() {
		c, _, err := Load(fsys)
		if err != nil {
			b.Fatal(err)
		}
		ix, err := Build(c)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkEditToSearchable measures the time from saving an edited
// article in a watched folder to the first search that finds the edit,
// debounce (100 ms) included, on 2,000 and 20,000 articles.
func BenchmarkEditToSearchable(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchmarkEdit(b, n) })
	}
}

func benchmarkEdit(b *testing.B, articles int) {
	dir := writeKB(b, generateKB(articles, 1))
	base, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer base.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go base.Watch(ctx)
	time.Sleep(100 * time.Millisecond)
	path := filepath.Join(dir, "edited.md")
	n := 0
	for b.Loop() {
		n++
		// A word unlike the previous one, so that the spelling corrector
		// cannot take one for the other.
		word := fmt.Sprintf("edit%dq%dw", n, n*7919%1000)
		data := fmt.Sprintf("---\nid: edited\ntitle: Article %s\n---\nModifié.\n", word)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			hits, err := base.Search(ctx, word, 1)
			if err != nil {
				b.Fatal(err)
			}
			if len(hits) > 0 && hits[0].Article.ID == "edited" {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// BenchmarkStartup measures opening a folder of 20,000 articles whose
// index folder was written by an earlier start, the files unchanged: the
// first search included.
func BenchmarkStartup(b *testing.B) {
	dir := writeKB(b, generateKB(20000, 1))
	indexDir := b.TempDir()
	base, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: indexDir})
	if err != nil {
		b.Fatal(err)
	}
	base.Close()
	ctx := context.Background()
	for b.Loop() {
		base, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: indexDir})
		if err != nil {
			b.Fatal(err)
		}
		if hits, err := base.Search(ctx, genQueries[0], 3); err != nil || len(hits) == 0 {
			b.Fatal("no hits", err)
		}
		base.Close()
	}
}
