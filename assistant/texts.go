package assistant

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
	fallbackNothing string
	talkToPerson    string
	helpfulYes      string
	helpfulNo       string
	notHelpful      string
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
		fallbackSuggest: "Je ne suis pas certain d'avoir bien compris. Ces articles peuvent vous aider :",
		fallbackNothing: "Je n'ai pas trouvé de réponse à cette question. Vous pouvez la reformuler, ou parler à une personne de l'équipe.",
		talkToPerson:    "Parler à une personne",
		helpfulYes:      "Oui, merci",
		helpfulNo:       "Non",
		notHelpful:      "Désolé que cette réponse ne vous ait pas aidé. Voici d'autres pistes, ou je peux vous mettre en relation avec une personne de l'équipe.",
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
		fallbackSuggest: "I'm not sure I understood. These articles may help:",
		fallbackNothing: "I couldn't find an answer to that question. You can rephrase it, or talk to a person from the team.",
		talkToPerson:    "Talk to a person",
		helpfulYes:      "Yes, thanks",
		helpfulNo:       "No",
		notHelpful:      "Sorry this answer didn't help. Here are other leads, or I can put you in touch with a person from the team.",
	},
}
