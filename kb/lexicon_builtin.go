package kb

// builtinLexicon is supportd's customer-service vocabulary: each line is a
// group of words or phrases that customers use for the same thing, in
// French and English, abbreviations and common spellings included. It is
// written for online shops in general, not for one knowledge base; a
// knowledge base adds its own groups in its [SynonymsFile].
const builtinLexicon = `
# Compte et connexion
mot de passe | mdp | mot-de-passe | password | passwd | pwd | code d'accès
identifiant | login | nom d'utilisateur | username | user name | pseudo
se connecter | me connecter | connexion | connecter | log in | sign in | logged in | s'identifier | m'identifier
compte | espace client | espace personnel | mon espace | compte client | account | profil | profile
inscription | s'inscrire | m'inscrire | créer un compte | ouvrir un compte | sign up | register | registration | création de compte
email | e-mail | mail | courriel | adresse mail | adresse email | adresse électronique | adresse e-mail | mél
supprimer | suppression | effacer | clôturer | clôture | fermer mon compte | désinscrire | désinscription | delete | remove | erase | close my account
données personnelles | données | rgpd | gdpr | vie privée | privacy | confidentialité | personal data
double authentification | 2fa | a2f | authentification à deux facteurs | double facteur | validation en deux étapes | two-factor | two factor | 2-step verification | mfa
oublié | oubli | perdu mon mot de passe | forgot | forgotten | plus mon mot de passe
réinitialiser | réinitialisation | reset | récupérer mon mot de passe | nouveau mot de passe | recover
changer | modifier | modification | changement | mettre à jour | mise à jour | update | change | edit | corriger | autrement | différemment | autre moyen | autre façon | otherwise | differently
bloqué | verrouillé | locked | blocked | suspendu | suspended
numéro de téléphone | téléphone portable | portable | mobile | phone number
adresse postale | adresse | coordonnées | postal address | address

# Commandes
commande | commander | commandé | order | ordered | ordering | achat | purchase
passer commande | passer une commande | faire une commande | place an order | acheter | buy
annuler | annulation | annulé | décommander | cancel | cancelled | canceled | cancellation | rétracter | rétractation
suivre | suivi | suivie | tracking | track | tracer | traçage | localiser | où en est | where is
numéro de suivi | code de suivi | lien de suivi | tracking number | tracking code | numéro de colis
statut | état | status | avancement | étape
code promo | code de réduction | bon de réduction | code réduction | code de réduc | code réduc | réduc | coupon | code avantage | voucher | promo code | discount code | code remise | réduction | remise | promotion
panier | basket | shopping cart | shopping basket
valider | validation | confirmer | confirmation | confirm | checkout
bug | beug | bogue | erreur | plante | planté | plantage | error | glitch | crash | problème technique | message d'erreur | page blanche
défectueux | défaut | cassé | casse | abîmé | endommagé | en panne | panne | hs | hors service | ne marche pas | marche pas | ne fonctionne pas | fonctionne pas | ne fonctionne plus | ne marche plus | defective | broken | damaged | faulty | does not work | doesn't work | not working
en attente | pending | pas encore validée | en suspens
en cours de préparation | en préparation | préparation | préparer | processing | being prepared
expédié | expédiée | expédition | expédier | envoyé | envoi | envoyer | parti | partie | shipped | dispatched | dispatch | shipping | ship | sent
livré | livrée | livraison | livrer | delivered | delivery | deliver | livreur
reçu | reçue | reçus | reçues | recevoir | reçois | reçoit | receive | received | arrivé | arrivée | arriver | arrive | arrived
pas reçu | jamais reçu | toujours pas reçu | pas arrivé | jamais arrivé | toujours pas arrivé | not received | never received | never arrived | not arrived | did not arrive | didn't arrive
retard | en retard | retardé | late | delay | delayed | lent | trop long | ne bouge plus | n'évolue plus | n'avance plus | bloqué chez le transporteur | stuck | not moving | toujours en transit
perdu | perdue | égaré | égarée | disparu | lost | missing parcel | introuvable
produit | article | articles | item | items | product | products | objet | marchandise
stock | en stock | disponible | disponibilité | rupture | rupture de stock | épuisé | out of stock | in stock | available | réapprovisionnement | restock

# Livraison
colis | paquet | carton | parcel | package | envoi postal | pli
frais de port | frais de livraison | frais d'envoi | coût de livraison | coût de la livraison | shipping cost | shipping costs | delivery cost | delivery charges | port
gratuit | gratuite | offert | offerts | free | sans frais | free shipping
délai | délais | combien de temps | en combien de temps | durée | how long | how much time | temps de livraison | sous combien de jours
combien | prix | tarif | tarifs | coût | coûte | coute | montant | how much | price | cost | costs | combien ça coûte
adresse de livraison | autre adresse | delivery address | shipping address | livrer ailleurs | adresse différente
point relais | relais | relay point | pickup point | pick-up point | mondial relay | consigne | locker
la poste | colissimo | transporteur | facteur | chronopost | ups | dhl | dpd | gls | carrier | postman | courier | poste
avis de passage | bureau de poste | post office | retirer mon colis | récupérer mon colis | à retirer
retour à l'expéditeur | retourné à l'expéditeur | renvoyé à l'expéditeur | reparti | revenu | non réclamé | non retiré | return to sender | returned to sender | renvoyé chez vous | repartir
dématérialisé | dématérialisée | numérique | électronique | digital | par email | virtuel
à domicile | chez moi | domicile | home | at home
étranger | international | abroad | hors de france | belgique | suisse | europe | outre-mer | dom-tom

# Paiement
payer | paiement | payé | payée | régler | règlement | réglé | pay | payment | paid | paying
moyen de paiement | moyens de paiement | mode de paiement | modes de paiement | mode de règlement | payment method | payment methods | means of payment | façon de payer
carte bancaire | carte bleue | cb | carte de crédit | carte de débit | visa | mastercard | credit card | debit card | bank card | american express | amex
paypal | pay pal
virement | virement bancaire | transfert bancaire | bank transfer | wire transfer | transfer | rib | iban
chèque | chèques | cheque | cheques | check | par chèque
chèque cadeau | chèque-cadeau | chèques cadeaux | e-chèque | bon d'achat | bons d'achat | gift voucher | gift certificate
3d secure | 3ds | 3-d secure | code de validation | code de confirmation | code sms | code bancaire | authentification bancaire | otp | one-time password | verification code
sms | texto | message de la banque | text message
sécurisé | sécurisée | sécurité | fiable | securise | secure | safe | security | sécuriser | protégé | chiffré | encrypted
refusé | refusée | rejeté | rejetée | declined | refused | rejected | paiement refusé | payment failed | échoué | échec
banque | bancaire | bank | banking | conseiller bancaire
facture | factures | invoice | invoices | justificatif | bill | facturation | billing | reçu de paiement | receipt
remboursement | rembourser | remboursé | remboursée | refund | refunded | refunds | reimburse | reimbursed | récupérer mon argent | money back | remboursements | l'argent revient | rendre l'argent | mon argent
avoir | avoirs | crédit | store credit | credit note | bon d'avoir
débité | débit | prélevé | prélèvement | debited | been charged
deux fois | en double | doublon | twice | charged twice | double paiement | payé deux fois

# Retours et réclamations
retour | retourner | renvoyer | renvoi | rendre | restituer | return | send back | returning | bon de retour
échanger | échange | remplacer | remplacement | exchange | replace | replacement | swap
neuf | pas ouvert | non ouvert | jamais ouvert | pas ouverte | non ouverte | scellé | emballage d'origine | unopened | sealed | brand new | jamais servi
mauvais | mauvaise | erroné | erronée | incorrect | wrong | pas le bon | pas la bonne | ne correspond pas | pas ce que j'ai commandé | autre chose
manquant | manquante | manque | il manque | incomplet | incomplète | missing | oubli dans le colis
garantie | garanti | garantis | warranty | guarantee | guaranteed | sav | service après-vente | after-sales
litige | réclamation | plainte | contestation | désaccord | complaint | dispute | claim | médiateur | médiation | mécontent | insatisfait | pas content | unhappy
fraude | arnaque | escroquerie | fraud | scam | piratage | piraté | hacked

# Contact
horaires | horaire | heures d'ouverture | heure d'ouverture | à quelle heure | ouvert | ouverts | ouverte | ouverture | fermé | fermeture | opening hours | open | opened | closed | business hours | when are you open | disponibles
contacter | contact | joindre | joignable | joignables | appeler | téléphoner | écrire | call | reach | phone | get in touch | write to
téléphone | numéro de téléphone du service | par téléphone | hotline | standard | phone number | telephone | by phone | appel
service client | service clientèle | sav | support | customer service | customer support | assistance | help desk | helpdesk | équipe
conseiller | conseillère | agent | humain | opérateur | opératrice | vraie personne | quelqu'un | interlocuteur | advisor | human | operator | real person | someone | representative
chat | tchat | chat en direct | messagerie | live chat | discussion en ligne
langue | langues | language | languages | parlez-vous | parler | speak | spoken
anglais | english | en anglais | in english
espagnol | spanish | español | castillan
allemand | german | deutsch
italien | italian | italiano
néerlandais | dutch | flamand
portugais | portuguese
chinois | chinese | mandarin
polonais | polish
jour férié | jours fériés | férié | fériés | public holiday | bank holiday | holiday

# Sens et intentions
saisir | entrer | rentrer | rentre | taper | insérer | renseigner | enter | type in | fill in
introuvable | ne trouve pas | trouve pas | ne trouve plus | je ne trouve pas | can't find | cannot find | not found | n'apparaît pas | absent de la liste
validité | valable | valide | validity | valid | expire | expirer | expiration | expiry | périmé | date limite | durée de validité
accepter | acceptez | accepté | acceptés | acceptée | acceptées | prenez | vous prenez | accept | accepted | take
destinataire | quelqu'un d'autre | une autre personne | un ami | une amie | un proche | ma mère | mon père | ma famille | mes parents | un collègue | recipient | someone else | a friend | my mother | my father
personnel | personnelle | perso | personal | privé | private
professionnel | professionnelle | pro | professional | travail
signifie | signifier | veut dire | ça veut dire | signification | sens | meaning | mean | means | c'est quoi | qu'est-ce que c'est | définition | correspond à
différence | différent | différents | distinguer | versus | vs | difference | different | compare
fonctionner | fonctionnement | fonctionne comment | marche comment | how does it work | mode d'emploi | principe | se passe | se déroule | déroulement | procédure | process | comment ça marche
utiliser | utilisation | me servir | se servir | employer | using | redeem | appliquer
trouver | retrouver | récupérer | télécharger | find | download | get | obtenir | consulter | voir
copie | duplicata | double de | exemplaire | copy | duplicate
besoin d'aide | aide | aidez-moi | help | help me | assistance
urgent | urgence | vite | rapidement | asap | urgently | au plus vite

# Acheter et vendre entre particuliers ou à une boutique
vendre | vente | ventes | vendu | vendue | revendre | sell | selling | sale | sold
vendeur | vendeuse | vendeurs | seller | sellers | merchant
acheteur | acheteuse | acheteurs | buyer | buyers | purchaser
annonce | annonces | listing | listings | advert | ad
avis | évaluation | évaluations | noter | note | review | reviews | rating | feedback
négocier | négociation | négocie | faire une offre | contre-offre | negotiate | haggle | make an offer
photo | photos | image | images | picture | pictures

# Ce que vendent et proposent beaucoup de boutiques en ligne
taille | tailles | size | sizes | pointure | guide des tailles
cadeau | cadeaux | gift | gifts | offrir | emballage cadeau
abonnement | abonnements | subscription | souscription | résilier mon abonnement | unsubscribe
newsletter | lettre d'information | mailing | désabonner | se désabonner | unsubscribe from newsletter
fidélité | points de fidélité | loyalty | points | programme de fidélité
solde | balance | montant restant | crédit restant | reste | remaining | combien il reste
`
