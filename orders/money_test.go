package orders

import (
	"strings"
	"testing"
)

func TestMoneyFormat(t *testing.T) {
	const nnbsp, nbsp = "\u202f", "\u00a0"
	for _, test := range []struct {
		m    Money
		lang string
		want string
	}{
		{0, "fr", "0,00" + nbsp + "€"},
		{5, "fr", "0,05" + nbsp + "€"},
		{1250, "fr", "12,50" + nbsp + "€"},
		{99999, "fr", "999,99" + nbsp + "€"},
		{123450, "fr", "1" + nnbsp + "234,50" + nbsp + "€"},
		{123456789, "fr-FR", "1" + nnbsp + "234" + nnbsp + "567,89" + nbsp + "€"},
		{-1250, "fr", "-12,50" + nbsp + "€"},
		{123450, "en", "€1,234.50"},
		{123450, "", "€1,234.50"},
		{123450, "de", "€1,234.50"},
		{7, "en", "€0.07"},
		{100000000, "en", "€1,000,000.00"},
		{-123450, "en", "-€1,234.50"},
		{-9223372036854775808, "en", "-€92,233,720,368,547,758.08"},
	} {
		if got := test.m.Format(test.lang); got != test.want {
			t.Errorf("Money(%d).Format(%q) = %q, want %q", test.m, test.lang, got, test.want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	for _, test := range []struct {
		m    Money
		want string
	}{
		{0, "0.00"}, {123450, "1234.50"}, {-5, "-0.05"},
	} {
		if got := test.m.String(); got != test.want {
			t.Errorf("Money(%d).String() = %q, want %q", test.m, got, test.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for _, test := range []struct {
		in      string
		want    Money
		wantErr string
	}{
		{in: "0", want: 0},
		{in: "12", want: 1200},
		{in: "12.5", want: 1250},
		{in: "12.50", want: 1250},
		{in: "12,05", want: 1205},
		{in: "0012.00", want: 1200},
		{in: "-3.10", want: -310},
		{in: "10000000000", want: MaxMoney},
		{in: "10000000000.01", wantErr: "too large"},
		{in: "99999999999999999999999", wantErr: "too large"},
		{in: "12.555", wantErr: "more than two decimals"},
		{in: "", wantErr: "not an amount"},
		{in: "-", wantErr: "not an amount"},
		{in: "12.", wantErr: "not an amount"},
		{in: ".5", wantErr: "not an amount"},
		{in: "1e3", wantErr: "not an amount"},
		{in: "12 €", wantErr: "not an amount"},
		{in: "1.2.3", wantErr: "not an amount"},
		{in: "+1", wantErr: "not an amount"},
	} {
		got, err := parseMoney(test.in)
		switch {
		case test.wantErr != "" && (err == nil || !strings.Contains(err.Error(), test.wantErr)):
			t.Errorf("parseMoney(%q) = %d, %v; want an error with %q", test.in, got, err, test.wantErr)
		case test.wantErr == "" && (err != nil || got != test.want):
			t.Errorf("parseMoney(%q) = %d, %v; want %d", test.in, got, err, test.want)
		}
	}
}

func TestNormalizeNumber(t *testing.T) {
	for _, test := range []struct {
		in   string
		want string
	}{
		{"CMD-2026-004512", "CMD-2026-004512"},
		{"cmd-2026-004512", "CMD-2026-004512"},
		{"  Cmd-2026-004512\n", "CMD-2026-004512"},
		{"CMD-2026-04512", ""},
		{"CMD-2026-0045120", ""},
		{"CMD 2026 004512", ""},
		{"CMD-2026-00451X", ""},
		{"2026-004512", ""},
		{"004512", ""},
		{"", ""},
		{"CMD-2026-00451\x00", ""},
		{"ＣMD-2026-004512", ""},
	} {
		got, ok := NormalizeNumber(test.in)
		if got != test.want || ok != (test.want != "") {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q", test.in, got, ok, test.want)
		}
	}
}

func TestTrackingURL(t *testing.T) {
	for _, test := range []struct {
		carrier, number, want string
	}{
		{"Colissimo", "6A23456789012", "https://www.laposte.fr/outils/suivre-vos-envois?code=6A23456789012"},
		{"chronopost", "XW482910375FR", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XW482910375FR"},
		{"Mondial Relay", "47291836", "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=47291836"},
		{"DPD", "250098761234", "https://trace.dpd.fr/fr/trace/250098761234"},
		{"Colissimo", "a b&c", "https://www.laposte.fr/outils/suivre-vos-envois?code=a+b%26c"},
		{"Colissimo", "", ""},
		{"La Poste à vélo", "123", ""},
		{"", "123", ""},
	} {
		if got := TrackingURL(test.carrier, test.number); got != test.want {
			t.Errorf("TrackingURL(%q, %q) = %q, want %q", test.carrier, test.number, got, test.want)
		}
	}
}

func TestValid(t *testing.T) {
	for _, test := range []struct {
		name  string
		valid bool
	}{
		{"status pending", Status("pending").Valid()},
		{"status processing", Status("processing").Valid()},
		{"status shipped", Status("shipped").Valid()},
		{"status delivered", Status("delivered").Valid()},
		{"status cancelled", Status("cancelled").Valid()},
		{"status Shipped", !Status("Shipped").Valid()},
		{"status empty", !Status("").Valid()},
		{"method bank_transfer", MethodBankTransfer.Valid()},
		{"method cash", !PaymentMethod("cash").Valid()},
		{"state refunded", PaymentRefunded.Valid()},
		{"state lost", !PaymentState("lost").Valid()},
		{"kind subsidy", VoucherSubsidy.Valid()},
		{"kind coupon", !VoucherKind("coupon").Valid()},
	} {
		if !test.valid {
			t.Errorf("%s: wrong validity", test.name)
		}
	}
}
