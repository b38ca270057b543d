package assistant

import (
	"fmt"
	"math"
	"strings"

	"github.com/supportd/supportd/kb"
)

// The assistant answers with an article only when it is sure. How sure it
// is comes from a small logistic model over features of the retrieval —
// how much of the message the best article covers, and where; how far it
// stands ahead of the next one; how much of the message the knowledge base
// knows at all; how long the message is — whose output is the probability
// that the best article is the right answer. Every feature is a share or
// a difference of shares between 0 and 1, never a raw score, so that the
// same value means the same on any shop's FAQ: the model is fitted on the
// labelled messages of two shops and checked shop against shop (fit on
// one, score on the other: docs/assistant.md).

// Feature indices of a retrieval (see [featuresOf]). They were chosen
// shop against shop among the signals kb gives (docs/assistant.md): a
// model fitted on one shop with these features, and its threshold chosen
// there, answered the most messages of the other shop rightly for the
// fewest wrong answers.
const (
	// featCoverage is the hit's coverage of the message, weighed by how
	// rare each word is and where it matches (kb.Hit.Confidence).
	featCoverage = iota
	// featShort is 1 for a message of one word or phrase, falling to 0 at
	// eight and more: a short message is easily matched by chance.
	featShort
	// featBM25Gap is how far the hit's BM25F stands above its rival's,
	// both relative to the best (kb.Hit.BM25).
	featBM25Gap
	// featAgree is 1 when coverage and BM25F both rank the hit first.
	featAgree
	// featPhrasingGap is how much more of the hit's title, or of one of
	// its questions, the message holds than of its rival's
	// (kb.Hit.Phrasing): two articles whose titles both fit the message
	// are siblings, and the choice between them a coin toss.
	featPhrasingGap
	// featKnown is the share of the message that the knowledge base
	// knows at all (kb.Hit.Known): a message of words no article uses is
	// likely out of scope, whatever it happens to match.
	featKnown
	numFeatures
)

// featureNames names the features, in order, for reports.
var featureNames = [numFeatures]string{"coverage", "short", "bm25_gap", "agree", "phrasing_gap", "known"}

// features are the features of a retrieval.
type features [numFeatures]float64

// featuresOf returns the features of hits[i] as the answer, against its
// rival, the best of the other hits.
func featuresOf(hits []kb.Hit, i int) features {
	var x features
	h := hits[i]
	x[featCoverage] = h.Confidence
	x[featShort] = max(0, float64(8-max(h.Words, 1))/7)
	x[featKnown] = h.Known
	if h.Agree {
		x[featAgree] = 1
	}
	rival := -1
	for j := range hits {
		if j != i && (rival < 0 || hits[j].Score > hits[rival].Score) {
			rival = j
		}
	}
	x[featBM25Gap], x[featPhrasingGap] = h.BM25, h.Phrasing
	if rival >= 0 {
		x[featBM25Gap] -= hits[rival].BM25
		x[featPhrasingGap] -= hits[rival].Phrasing
	}
	return x
}

// Model is a logistic model of the probability that an article is the
// right answer to a message: σ(Bias + Σ Weights[i]·feature[i]).
type Model struct {
	Bias    float64
	Weights [numFeatures]float64
}

// prob returns the model's probability for features x.
func (m Model) prob(x features) float64 {
	z := m.Bias
	for i, w := range m.Weights {
		z += w * x[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// String formats the model as Go, for [defaultModel].
func (m Model) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Model{Bias: %.4f, Weights: [numFeatures]float64{", m.Bias)
	for i, w := range m.Weights {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.4f", w)
	}
	b.WriteString("}}")
	return b.String()
}

// Sample is one labelled retrieval to fit a [Model] on: the features of
// the best hit, and whether it was the right answer.
type Sample struct {
	x     features
	Right bool
	// Weight is the sample's weight in the fit; 0 counts as 1.
	Weight float64
}

// FitModel fits a logistic model to samples by Newton's method, with an
// L2 penalty of l2 on the weights (not the bias) that keeps them small
// when the samples are few. It returns the zero Model without samples.
func FitModel(samples []Sample, l2 float64) Model {
	const n = numFeatures + 1 // the bias is the last coefficient
	var beta [n]float64
	if len(samples) == 0 {
		return Model{}
	}
	row := func(s Sample) (r [n]float64) {
		copy(r[:], s.x[:])
		r[numFeatures] = 1
		return r
	}
	for iter := 0; iter < 50; iter++ {
		var grad [n]float64
		var hess [n][n]float64
		for _, s := range samples {
			r := row(s)
			z := 0.0
			for i := range n {
				z += beta[i] * r[i]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if s.Right {
				y = 1
			}
			sw := s.Weight
			if sw == 0 {
				sw = 1
			}
			w := sw * p * (1 - p)
			for i := range n {
				grad[i] += sw * (y - p) * r[i]
				for j := range n {
					hess[i][j] += w * r[i] * r[j]
				}
			}
		}
		for i := range numFeatures {
			grad[i] -= l2 * beta[i]
			hess[i][i] += l2
		}
		hess[numFeatures][numFeatures] += 1e-9
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		change := 0.0
		for i := range n {
			beta[i] += step[i]
			change = max(change, math.Abs(step[i]))
		}
		if change < 1e-8 {
			break
		}
	}
	var m Model
	copy(m.Weights[:], beta[:numFeatures])
	m.Bias = beta[numFeatures]
	return m
}

// solve solves a·x = b by Gaussian elimination with partial pivoting; it
// reports false for a singular a.
func solve(a [numFeatures + 1][numFeatures + 1]float64, b [numFeatures + 1]float64) ([numFeatures + 1]float64, bool) {
	const n = numFeatures + 1
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return b, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [n]float64
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}
