package assistant

// DefaultAnswerThreshold is the probability of being right from which the
// assistant answers with the best article. It was chosen shop against
// shop: with the model fitted on one shop's messages and this threshold,
// the other shop's messages get at most about 4% wrong answers
// (docs/assistant.md).
const DefaultAnswerThreshold = 0.8

// defaultModel was fitted by
//
//	supportd kb fit --set ../shared/eval/kb:../shared/eval/cases.jsonl \
//	  --set ../shared/eval/kb:cmd/supportd/testdata/eval-paraphrases.jsonl \
//	  --set cmd/supportd/demo/kb:cmd/supportd/testdata/demo-cases.jsonl \
//	  --set ../shared/eval/marketplace/kb:../shared/eval/marketplace/cases.jsonl
//
// on 271 retrievals, each knowledge base weighing the same.
var defaultModel = Model{Bias: -2.0591, Weights: [numFeatures]float64{2.3863, -0.1743, 1.7876, 0.1609, 1.3149, 1.4971}}
