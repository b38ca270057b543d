package assistant

// DefaultAnswerThreshold is the probability of being right from which the
// assistant answers with the best article. It was chosen shop against
// shop: the lowest threshold at which a model fitted on one shop's
// messages gives at most about 5% wrong answers on the other shop's
// (docs/assistant.md).
const DefaultAnswerThreshold = 0.85

// defaultModel was fitted by
//
//	supportd kb fit --set ../shared/eval/kb:../shared/eval/cases.jsonl \
//	  --set ../shared/eval/kb:cmd/supportd/testdata/eval-paraphrases.jsonl \
//	  --set cmd/supportd/demo/kb:cmd/supportd/testdata/demo-cases.jsonl \
//	  --set ../shared/eval/marketplace/kb:../shared/eval/marketplace/cases.jsonl
//
// on 271 retrievals, each knowledge base weighing the same.
var defaultModel = Model{Bias: -2.0591, Weights: [numFeatures]float64{2.3863, -0.1743, 1.7876, 0.1609, 1.3149, 1.4971}}
