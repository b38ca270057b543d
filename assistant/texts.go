package assistant

import "github.com/supportd/supportd/orders"

// smalltalk kinds.
const (
	greeting = iota
	thanks
	goodbye
)

// replyTexts are the sentences the assistant writes, in one language.
type replyTexts struct {
	smalltalk       [3]string
	handoff         string
	orderNumber     string
	orderAccount    string
	fallbackSuggest string
	noneOfThese     string
	otherLanguage   string
	langName        map[string]string
	fallbackNothing string
	stillNoAnswer   string
	greetingStart   string
	otherTopic      string
	talkToPerson    string
	helpfulYes      string
	helpfulNo       string
	notHelpful      string
	orderTexts
}

// orderTexts are the sentences of answers from live order data.
type orderTexts struct {
	orderNotFound, verifyFailed, verifyLimited, noOrders, whichOrder, ordersUnavailable string
	orderHeading                                                                        string
	processing, shipped, tracking, delivered, cancelled, refunded, statusOther          string
	awaitingTransfer, awaitingCheque, afterPayment, awaitingPayment, paymentFailed      string
	paid                                                                                string
	canCancel, alreadyCancelled, cannotCancel, cannotCancelDelivered                    string
	noInvoice, invoice                                                                  string
	noAccount, credit, creditUntil, noCredit, voucher, voucherUntil                     string
	actionCancel, actionInvoice                                                         string
	today, tomorrow                                                                     string
	status                                                                              map[orders.Status]string
	method                                                                              map[orders.PaymentMethod]string
	voucherKind                                                                         map[orders.VoucherKind]string
}

var texts = map[string]replyTexts{
	"fr": {
		smalltalk: [3]string{
			"Bonjour ! Posez-moi votre question : commande, livraison, paiement, retour… je vous réponds tout de suite.",
			"Avec plaisir ! Si vous avez une autre question, je suis là.",
			"Merci de votre visite, à bientôt !",
		},
		handoff:         "Je vous mets en relation avec une personne de l'équipe. Je vous indique tout de suite le délai d'attente, ou comment nous laisser votre demande si personne n'est disponible.",
		orderNumber:     "Je peux vous renseigner sur la commande %s. Pour protéger vos données, je dois d'abord m'assurer qu'elle est bien à vous : connectez-vous sur le site, ou indiquez-moi l'adresse email utilisée pour la commande.",
		orderAccount:    "Je peux vous renseigner sur vos commandes et votre compte. Pour protéger vos données, connectez-vous d'abord sur le site, ou donnez-moi votre numéro de commande et l'adresse email utilisée.",
		fallbackSuggest: "Votre question concerne-t-elle l'un de ces sujets ?",
		noneOfThese:     "Aucune de ces réponses",
		otherLanguage:   "_Cet article n'existe pas encore en %s ; le voici en %s._",
		langName:        map[string]string{"fr": "français", "en": "anglais"},
		fallbackNothing: "Je n'ai pas trouvé de réponse à cette question. Vous pouvez la reformuler, ou parler à une personne de l'équipe.",
		greetingStart:   "Bonjour ! Je suis l'assistant de la boutique : je réponds tout de suite à partir de notre aide en ligne. Pour parler à une personne de l'équipe, demandez-le ou touchez « Parler à une personne ».",
		otherTopic:      "Autres questions",
		stillNoAnswer:   "Je ne trouve toujours pas de réponse, désolé. Une personne de l'équipe peut sûrement vous aider : voulez-vous lui parler ?",
		talkToPerson:    "Parler à une personne",
		helpfulYes:      "Oui, merci",
		helpfulNo:       "Non",
		notHelpful:      "Désolé que cette réponse ne vous ait pas aidé. Voici d'autres pistes, ou je peux vous mettre en relation avec une personne de l'équipe.",
		orderTexts: orderTexts{
			orderNotFound:         "Je ne trouve pas de commande %s sur votre compte. Vérifiez le numéro (il figure dans l'email de confirmation de commande), ou demandez à une personne de l'équipe.",
			verifyFailed:          "Je ne trouve pas de commande qui corresponde à ce numéro et à cette adresse email. Vérifiez-les tous les deux (ils figurent dans l'email de confirmation de commande), ou connectez-vous sur le site.",
			verifyLimited:         "Trop d'essais de vérification : pour protéger les commandes de nos clients, réessayez dans quelques minutes, ou connectez-vous sur le site.",
			noOrders:              "Je ne trouve aucune commande sur votre compte. Si vous avez commandé avec une autre adresse email, indiquez-moi le numéro de commande et cette adresse.",
			whichOrder:            "De quelle commande s'agit-il ? Voici vos commandes les plus récentes :",
			ordersUnavailable:     "Je n'arrive pas à consulter les commandes pour le moment. Réessayez dans un instant, ou demandez à une personne de l'équipe.",
			orderHeading:          "**Commande %s** du %s, %s",
			processing:            "Elle est payée et en cours de préparation. Expédition prévue : %s.",
			shipped:               "Elle a été expédiée le %s avec %s.",
			tracking:              "Numéro de suivi : %s.",
			delivered:             "Elle a été livrée le %s. Un article manque ou pose problème ? Dites-le-moi, ou demandez à une personne de l'équipe.",
			cancelled:             "Elle a été annulée le %s.",
			refunded:              "Le remboursement de %s a été effectué sur votre moyen de paiement.",
			statusOther:           "Son statut est : %s.",
			awaitingTransfer:      "Nous attendons votre virement de %s, avec le numéro de commande %s en référence.",
			awaitingCheque:        "Nous attendons votre chèque de %s ; joignez-y le numéro de commande %s pour que nous l'identifiions vite.",
			afterPayment:          "La commande est préparée à réception du paiement : expédiée le jour même s'il arrive un jour ouvré avant 15 h, sinon le jour ouvré suivant. Pressé ? Vous pouvez aussi payer par carte.",
			awaitingPayment:       "Le paiement n'est pas encore confirmé par votre banque. La commande sera préparée dès qu'il le sera.",
			paymentFailed:         "Le paiement a été refusé : la commande ne sera pas préparée. Vous pouvez la repasser avec un autre moyen de paiement.",
			paid:                  "Elle est réglée (%s).",
			canCancel:             "Elle est encore en attente : vous pouvez l'annuler depuis votre espace client, rubrique « Mes commandes », ou demander à une personne de l'équipe de le faire.",
			alreadyCancelled:      "Elle est déjà annulée.",
			cannotCancel:          "Elle est déjà en préparation ou expédiée : elle ne peut plus être annulée. Vous pourrez la retourner après réception.",
			cannotCancelDelivered: "Elle a déjà été livrée : elle ne peut plus être annulée, mais vous pouvez retourner les articles.",
			noInvoice:             "Sa facture n'est pas encore émise ; elle sera disponible ici dès qu'elle le sera.",
			invoice:               "Facture %s : [télécharger la facture](%s).",
			noAccount:             "Je ne trouve pas votre compte client. Une personne de l'équipe peut vérifier avec vous.",
			credit:                "Vous avez un avoir de %s.",
			creditUntil:           "Vous avez un avoir de %s, à utiliser avant le %s.",
			noCredit:              "Vous n'avez pas d'avoir en cours.",
			voucher:               "%s %s : %s disponibles sur %s",
			voucherUntil:          ", jusqu'au %s",
			actionCancel:          "Puis-je l'annuler ?",
			actionInvoice:         "La facture",
			today:                 "aujourd'hui",
			tomorrow:              "demain",
			status: map[orders.Status]string{
				orders.StatusPending: "en attente", orders.StatusProcessing: "en préparation", orders.StatusShipped: "expédiée",
				orders.StatusDelivered: "livrée", orders.StatusCancelled: "annulée",
			},
			method: map[orders.PaymentMethod]string{
				orders.MethodCard: "carte bancaire", orders.MethodPayPal: "PayPal", orders.MethodBankTransfer: "virement",
				orders.MethodCheque: "chèque", orders.MethodCredit: "avoir", orders.MethodVoucher: "bon d'achat",
			},
			voucherKind: map[orders.VoucherKind]string{orders.VoucherGift: "Chèque cadeau", orders.VoucherSubsidy: "Subvention"},
		},
	},
	"en": {
		smalltalk: [3]string{
			"Hello! Ask me anything about orders, delivery, payment or returns and I'll answer right away.",
			"You're welcome! I'm here if you have another question.",
			"Thanks for stopping by, goodbye!",
		},
		handoff:         "I'm passing you to a person from the team. I'll tell you right away how long the wait is, or how to leave us your request if nobody is available.",
		orderNumber:     "I can help with order %s. To protect your data, I first need to make sure it is yours: log in on the site, or tell me the email address used for the order.",
		orderAccount:    "I can help with your orders and your account. To protect your data, please log in on the site first, or give me your order number and the email address you used.",
		fallbackSuggest: "Is your question about one of these?",
		noneOfThese:     "None of these",
		otherLanguage:   "_This article is not available in %s yet; here it is in %s._",
		langName:        map[string]string{"fr": "French", "en": "English"},
		fallbackNothing: "I couldn't find an answer to that question. You can rephrase it, or talk to a person from the team.",
		greetingStart:   "Hello! I'm the shop's assistant: I answer right away from our help centre. To talk to a person from the team, just ask, or press \"Talk to a person\".",
		otherTopic:      "Other questions",
		stillNoAnswer:   "I still can't find an answer, sorry. A person from the team can surely help: would you like to talk to them?",
		talkToPerson:    "Talk to a person",
		helpfulYes:      "Yes, thanks",
		helpfulNo:       "No",
		notHelpful:      "Sorry this answer didn't help. Here are other leads, or I can put you in touch with a person from the team.",
		orderTexts: orderTexts{
			orderNotFound:         "I can't find an order %s on your account. Check the number (it is in the order confirmation email), or ask a person from the team.",
			verifyFailed:          "I can't find an order matching this number and this email address. Check both (they are in the order confirmation email), or log in on the site.",
			verifyLimited:         "Too many verification attempts: to protect our customers' orders, try again in a few minutes, or log in on the site.",
			noOrders:              "I can't find any order on your account. If you ordered with another email address, give me the order number and that address.",
			whichOrder:            "Which order is it about? Here are your most recent ones:",
			ordersUnavailable:     "I can't look up orders right now. Try again in a moment, or ask a person from the team.",
			orderHeading:          "**Order %s** of %s, %s",
			processing:            "It is paid and being prepared. Expected dispatch: %s.",
			shipped:               "It was shipped on %s with %s.",
			tracking:              "Tracking number: %s.",
			delivered:             "It was delivered on %s. Is an item missing or faulty? Tell me, or ask a person from the team.",
			cancelled:             "It was cancelled on %s.",
			refunded:              "The refund of %s was made to your means of payment.",
			statusOther:           "Its status is: %s.",
			awaitingTransfer:      "We are waiting for your bank transfer of %s, with the order number %s as reference.",
			awaitingCheque:        "We are waiting for your cheque of %s; add the order number %s so that we can match it quickly.",
			afterPayment:          "The order is prepared once the payment arrives: shipped the same day if it arrives on a business day before 3 pm, otherwise the next business day. In a hurry? You can also pay by card.",
			awaitingPayment:       "Your bank has not confirmed the payment yet. The order will be prepared as soon as it does.",
			paymentFailed:         "The payment was declined: the order will not be prepared. You can place it again with another means of payment.",
			paid:                  "It is paid (%s).",
			canCancel:             "It is still pending: you can cancel it from your customer account, under \"My orders\", or ask a person from the team to do it.",
			alreadyCancelled:      "It is already cancelled.",
			cannotCancel:          "It is already being prepared or shipped: it can no longer be cancelled. You can return it once received.",
			cannotCancelDelivered: "It has already been delivered: it can no longer be cancelled, but you can return the items.",
			noInvoice:             "Its invoice has not been issued yet; it will be available here as soon as it is.",
			invoice:               "Invoice %s: [download the invoice](%s).",
			noAccount:             "I can't find your customer account. A person from the team can check with you.",
			credit:                "You have a store credit of %s.",
			creditUntil:           "You have a store credit of %s, to use before %s.",
			noCredit:              "You have no store credit at the moment.",
			voucher:               "%s %s: %s left of %s",
			voucherUntil:          ", until %s",
			actionCancel:          "Can I cancel it?",
			actionInvoice:         "The invoice",
			today:                 "today",
			tomorrow:              "tomorrow",
			status: map[orders.Status]string{
				orders.StatusPending: "pending", orders.StatusProcessing: "being prepared", orders.StatusShipped: "shipped",
				orders.StatusDelivered: "delivered", orders.StatusCancelled: "cancelled",
			},
			method: map[orders.PaymentMethod]string{
				orders.MethodCard: "card", orders.MethodPayPal: "PayPal", orders.MethodBankTransfer: "bank transfer",
				orders.MethodCheque: "cheque", orders.MethodCredit: "store credit", orders.MethodVoucher: "voucher",
			},
			voucherKind: map[orders.VoucherKind]string{orders.VoucherGift: "Gift card", orders.VoucherSubsidy: "Subsidy"},
		},
	},
}
