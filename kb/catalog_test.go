package kb

import "testing"

func TestCatalog(t *testing.T) {
	arts := []*Article{
		{ID: "a", Category: "Livraison", Lang: "fr"},
		{ID: "b", Category: "", Lang: "fr"},
		{ID: "c", Category: "Livraison", Lang: "fr"},
		{ID: "d", Category: "Delivery", Lang: "en"},
	}
	got := Catalog(arts, "fr", "Autres")
	if len(got) != 2 || got[0].Name != "Livraison" || len(got[0].Articles) != 2 || got[0].Articles[1].ID != "c" || got[1].Name != "Autres" {
		t.Errorf("Catalog(fr) = %+v", got)
	}
	if got := Catalog(arts, "en", "Other"); len(got) != 1 || got[0].Articles[0].ID != "d" {
		t.Errorf("Catalog(en) = %+v", got)
	}
	// No article in the language: all of them.
	if got := Catalog(arts[:3], "en", "Other"); len(got) != 2 {
		t.Errorf("Catalog(en) of French articles = %+v", got)
	}
}
