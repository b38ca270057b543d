package chat

// chatTexts are the sentences the chat itself writes, in one language.
type chatTexts struct {
	cannotAnswer string
	talkToPerson string
	// The email request (intake.go).
	intakeOffer, answerSoon, answerFrom, intakeDone string
	confirmSubject, confirmBody                     string
	// The queue and the agents (agent.go).
	queuedOffer, agentJoined, agentTakesOver, agentClosed, requeued, nobodyLeft string
	surveyAsk, surveyThanks                                                     string
	// An agent's answer to an email request (tickets.go).
	answerSubject, answerBody string
	errors                    map[string]string
}

// textsFor returns the chat's sentences in lang, or in French for a
// language it does not write, and the language chosen.
func textsFor(lang string) (chatTexts, string) {
	if t, ok := texts[lang]; ok {
		return t, lang
	}
	return texts["fr"], "fr"
}

var texts = map[string]chatTexts{
	"fr": {
		cannotAnswer:   "Désolé, je n'arrive pas à répondre pour le moment. Une personne de l'équipe peut prendre le relais.",
		talkToPerson:   "Parler à une personne",
		queuedOffer:    "Je vous mets en relation avec un conseiller. Vous pouvez déjà lui écrire ici : il verra vos messages en arrivant.",
		agentJoined:    "%s a rejoint la conversation.",
		agentTakesOver: "%s prend le relais.",
		agentClosed:    "%s a terminé la conversation. Je reste là si vous avez une autre question.",
		surveyAsk:      "Comment évalueriez-vous cette conversation ?",
		surveyThanks:   "Merci pour votre avis !",
		requeued:       "Votre conseiller a dû s'absenter : vous repassez en tête de la file d'attente.",
		nobodyLeft:     "Plus aucun conseiller n'est disponible pour le moment.",
		intakeOffer:    "Personne de l'équipe ne peut vous répondre dans le chat pour le moment. Laissez-nous votre adresse email et votre message : nous vous répondrons par email %s.",
		answerSoon:     "au plus vite",
		answerFrom:     "dès %s",
		intakeDone:     "C'est noté : votre demande n° %d est enregistrée. Nous vous répondrons à %s %s. Un email de confirmation vous est envoyé.",
		confirmSubject: "Votre demande n° %d est bien reçue",
		answerSubject:  "Réponse à votre demande n° %d",
		answerBody:     "Bonjour,\n\n%s\n\n%s, pour l'équipe\n\n--\nVotre demande n° %d :\n%s\n",
		confirmBody:    "Bonjour,\n\nNous avons bien reçu votre demande n° %d et vous répondrons %s.\n\nVotre message :\n%s\n\nPour la compléter, répondez simplement à cet email.\n",
		errors: map[string]string{
			CodeBadFrame:             "Message illisible : le widget doit être mis à jour.",
			CodeUnknownType:          "Type de message inconnu.",
			CodeVersion:              "Version du widget non prise en charge : rechargez la page.",
			CodeHelloRequired:        "La connexion n'est pas encore prête.",
			CodeInvalid:              "Cette demande n'est pas valide.",
			CodeTooLong:              "Votre message est trop long (4 000 caractères au plus).",
			CodeRateLimited:          "Vous envoyez des messages trop vite : patientez un instant.",
			CodeConversationNotFound: "Cette conversation n'existe plus ; une nouvelle commence.",
			CodeCustomerToken:        "Votre session sur le site a expiré : rechargez la page pour que je retrouve vos commandes.",
			CodeInvalidEmail:         "Cette adresse email ne semble pas valide : vérifiez-la.",
			CodeFormUsed:             "Cette demande a déjà été envoyée.",
			CodeIntakeLimit:          "Trop de demandes envoyées : nous traitons déjà les vôtres et vous répondrons par email.",
			CodeUnavailable:          "Votre message n'a pas pu être enregistré. Nouvel essai dans un instant…",
			CodeInternal:             "Une erreur est survenue. Nouvel essai dans un instant…",
		},
	},
	"en": {
		cannotAnswer:   "Sorry, I can't answer right now. A person from the team can take over.",
		talkToPerson:   "Talk to a person",
		queuedOffer:    "I am putting you through to an agent. You can already write here: they will see your messages when they arrive.",
		agentJoined:    "%s joined the conversation.",
		agentTakesOver: "%s takes over.",
		agentClosed:    "%s ended the conversation. I am still here if you have another question.",
		surveyAsk:      "How would you rate this conversation?",
		surveyThanks:   "Thank you for your feedback!",
		requeued:       "Your agent had to step away: you are back at the head of the queue.",
		nobodyLeft:     "No agent is available any more for now.",
		intakeOffer:    "Nobody from the team can answer in the chat right now. Leave us your email address and your message: we will answer by email %s.",
		answerSoon:     "as soon as possible",
		answerFrom:     "from %s",
		intakeDone:     "Done: your request no. %d is recorded. We will answer to %s %s. A confirmation email is on its way.",
		confirmSubject: "We received your request no. %d",
		answerSubject:  "Answer to your request no. %d",
		answerBody:     "Hello,\n\n%s\n\n%s, for the team\n\n--\nYour request no. %d:\n%s\n",
		confirmBody:    "Hello,\n\nWe received your request no. %d and will answer %s.\n\nYour message:\n%s\n\nTo add anything, simply reply to this email.\n",
		errors: map[string]string{
			CodeBadFrame:             "Unreadable message: the widget needs an update.",
			CodeUnknownType:          "Unknown message type.",
			CodeVersion:              "Unsupported widget version: reload the page.",
			CodeHelloRequired:        "The connection is not ready yet.",
			CodeInvalid:              "This request is not valid.",
			CodeTooLong:              "Your message is too long (4,000 characters at most).",
			CodeRateLimited:          "You are sending messages too fast: please wait a moment.",
			CodeConversationNotFound: "This conversation no longer exists; a new one starts.",
			CodeCustomerToken:        "Your session on the site has expired: reload the page so that I can find your orders.",
			CodeInvalidEmail:         "This email address does not look valid: please check it.",
			CodeFormUsed:             "This request has been sent already.",
			CodeIntakeLimit:          "Too many requests sent: we are already on yours and will answer by email.",
			CodeUnavailable:          "Your message could not be saved. Trying again shortly…",
			CodeInternal:             "Something went wrong. Trying again shortly…",
		},
	},
}
