package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.etcd.io/bbolt"
)

var _ Surveys = (*Bolt)(nil)

// The surveys add a bucket to the bbolt file, created by the first one:
//
//	surveys  conversation id, NUL, seq 8 bytes big-endian -> Survey, JSON
var bucketSurveys = []byte("surveys")

func surveyKey(conv string, seq int64) []byte {
	return append(append([]byte(conv), 0), seqKey(seq)...)
}

// RecordSurvey implements [Surveys].
func (s *Bolt) RecordSurvey(ctx context.Context, sv *Survey) error {
	if err := ctx.Err(); err != nil {
		return errBolt("record survey", err)
	}
	ns, err := prepareSurvey(sv)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSurveys)
		if err != nil {
			return err
		}
		key := surveyKey(ns.ConversationID, ns.Seq)
		if b.Get(key) != nil {
			return fmt.Errorf("survey of %s: %w", ns.ConversationID, ErrExists)
		}
		v, err := json.Marshal(ns)
		if err != nil {
			return err
		}
		return b.Put(key, v)
	})
	if err != nil {
		return errBolt("record survey", err)
	}
	sv.CreatedAt = ns.CreatedAt
	sv.Comment = ns.Comment
	return nil
}

// ListSurveys implements [Surveys].
func (s *Bolt) ListSurveys(ctx context.Context, limit int) ([]Survey, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list surveys", err)
	}
	var list []Survey
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSurveys)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var sv Survey
			if err := json.Unmarshal(v, &sv); err != nil {
				return err
			}
			list = append(list, sv)
			return nil
		})
	})
	if err != nil {
		return nil, errBolt("list surveys", err)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].CreatedAt.After(list[j].CreatedAt) })
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	return list, nil
}
