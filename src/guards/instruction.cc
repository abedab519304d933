#include "guards/instruction.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "guards/normalize.h"

namespace rampart::guards {
namespace {

constexpr bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }
constexpr bool IsAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
constexpr char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// A letter or digit lowered, 0 for any other byte: one load per byte in
// the word scan.
constexpr std::array<char, 256> kWordByte = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c)
    if (IsAlnum(static_cast<unsigned char>(c))) t[c] = Lower(static_cast<char>(c));
  return t;
}();

// Whether every byte is below 0x80, eight bytes at a time.
bool IsAscii(std::string_view s) {
  std::uint64_t any = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ull) == 0;
}

// HTML elements that sit inside a sentence: their tags do not end a segment.
bool InlineTag(std::string_view name) {
  static constexpr std::array<std::string_view, 14> k = {"a",      "b",    "i",    "u",     "em",
                                                         "strong", "span", "code", "small", "font",
                                                         "mark",   "sup",  "sub",  "abbr"};
  return std::find(k.begin(), k.end(), name) != k.end();
}

// ---------------------------------------------------------------- lexicon

struct Phrase {
  std::vector<std::string> words;
  std::uint32_t cue = 0;
};

// Words that may come before the verb of an imperative ("Please, AI
// assistant: now forward ...") without making it something else.
constexpr std::array<std::string_view, 36> kLeadIns = {
    "please",       "kindly",    "now",        "also",     "then",        "and",
    "so",           "next",      "first",      "finally",  "immediately", "just",
    "ai",           "assistant", "assistants", "agent",    "hey",         "hi",
    "note",         "important", "action",     "required", "step",        "dear",
    "attention",    "model",     "bot",        "copilot",  "system",      "instruction",
    "instructions", "urgent",    "task",       "llm",      "todo",        "nb"};

// The verbs of the actions that matter, by cue. A verb counts as an action
// wherever it stands; as a request only in imperative position.
const std::vector<std::pair<std::uint32_t, std::vector<std::string_view>>>& Verbs() {
  static const std::vector<std::pair<std::uint32_t, std::vector<std::string_view>>> k = {
      {kCueSend,
       {"send",    "forward", "email",  "mail",    "share",      "upload",   "post",    "transmit",
        "export",  "copy",    "cc",     "bcc",     "leak",       "disclose", "reveal",  "submit",
        "sync",    "attach",  "paste",  "dump",    "relay",      "publish",  "fax",     "deliver",
        "text",    "message", "dm",     "tweet",   "exfiltrate", "append",   "include", "embed",
        "list",    "output",  "print",  "write",   "reply",      "respond",  "notify",  "contact",
        "provide", "collect", "gather", "compile", "extract",    "save",     "store",   "backup"}},
      {kCuePay, {"pay",       "transfer", "wire",   "approve",   "refund",   "authorize",
                 "authorise", "remit",    "settle", "reimburse", "purchase", "buy",
                 "release",   "credit",   "debit",  "schedule",  "process",  "expedite",
                 "confirm",   "sign",     "accept", "book",      "donate"}},
      {kCueAccess,
       {"change",     "reset",   "delete",  "remove",    "grant",       "revoke",    "disable",
        "enable",     "add",     "update",  "modify",    "erase",       "wipe",      "purge",
        "deactivate", "rotate",  "set",     "give",      "elevate",     "whitelist", "allowlist",
        "create",     "archive", "move",    "invite",    "unsubscribe", "cancel",    "close",
        "lock",       "unlock",  "replace", "overwrite", "turn",        "mark",      "assign"}},
      {kCueRun, {"open",     "visit",  "click",  "download", "run",      "execute", "install",
                 "navigate", "go",     "browse", "fetch",    "load",     "call",    "invoke",
                 "launch",   "follow", "log",    "sign",     "retrieve", "query",   "ping",
                 "curl",     "search", "look",   "check",    "use",      "tap",     "scan"}},
  };
  return k;
}

const std::vector<Phrase>& Phrases() {
  static const std::vector<Phrase> k = [] {
    std::vector<Phrase> out;
    auto add = [&](std::uint32_t cue, std::initializer_list<std::string_view> list) {
      for (std::string_view p : list) {
        Phrase ph;
        ph.cue = cue;
        std::string w;
        for (char c : p) {
          if (IsAlnum(static_cast<unsigned char>(c))) {
            w += Lower(c);
          } else if (!w.empty()) {
            ph.words.push_back(std::move(w));
            w.clear();
          }
        }
        if (!w.empty()) ph.words.push_back(std::move(w));
        out.push_back(std::move(ph));
      }
    };
    add(kCueRequest, {"please", "kindly", "pls", "i need you to", "we need you to", "i want you to",
                      "can you", "could you", "would you"});
    add(kCueObligation, {"you must",
                         "you should",
                         "you need to",
                         "you have to",
                         "you are required to",
                         "you are to",
                         "you will need to",
                         "you ll need to",
                         "make sure",
                         "be sure to",
                         "ensure",
                         "remember to",
                         "don t forget to",
                         "do not forget to",
                         "it is essential",
                         "required to",
                         "is instructed to",
                         "are instructed to",
                         "your task is",
                         "your job is",
                         "your next step",
                         "your first step",
                         "it is important that you",
                         "must",
                         "mandatory",
                         "action required",
                         "is required",
                         "needs to be",
                         "must be",
                         "should be",
                         "has to be",
                         "shall",
                         "it is necessary",
                         "proceed to",
                         "go ahead and",
                         "as part of processing",
                         "when summarizing",
                         "when summarising",
                         "when processing",
                         "after reading",
                         "upon reading",
                         "once you have read",
                         "when you read",
                         "as soon as you"});
    add(kCueSend, {"e mail", "send over", "pass along", "hand over", "write to", "cc in",
                   "forward on", "send out", "send back", "make public", "post to", "put in"});
    add(kCuePay, {"wire transfer", "bank transfer", "make a payment", "issue a refund",
                  "release the funds", "send money", "send the funds", "mark as paid",
                  "mark it as paid", "gift card", "gift cards"});
    add(kCueAccess,
        {"admin rights", "admin access", "forwarding rule", "auto forward", "two factor", "2fa",
         "mfa", "security settings", "sharing settings", "public link", "anyone with the link"});
    add(kCueRun, {"go to", "log in", "sign in", "click on", "open the link", "follow the link"});
    add(kCueAsset, {"conversation",
                    "conversations",
                    "chat",
                    "chats",
                    "chat history",
                    "history",
                    "transcript",
                    "transcripts",
                    "credentials",
                    "credential",
                    "password",
                    "passwords",
                    "passcode",
                    "passphrase",
                    "pin",
                    "token",
                    "tokens",
                    "api key",
                    "api keys",
                    "access key",
                    "secret key",
                    "private key",
                    "ssh key",
                    "secret",
                    "secrets",
                    "recovery codes",
                    "recovery code",
                    "verification code",
                    "one time code",
                    "otp",
                    "security code",
                    "contacts",
                    "address book",
                    "contact list",
                    "files",
                    "attachments",
                    "inbox",
                    "emails",
                    "mailbox",
                    "messages",
                    "account number",
                    "account numbers",
                    "bank account",
                    "bank details",
                    "banking details",
                    "routing number",
                    "sort code",
                    "iban",
                    "swift",
                    "card number",
                    "credit card",
                    "cvv",
                    "invoice",
                    "invoices",
                    "payment",
                    "payments",
                    "funds",
                    "money",
                    "ssn",
                    "social security",
                    "session",
                    "cookies",
                    "cookie",
                    "system prompt",
                    "instructions above",
                    "previous messages",
                    "prior messages",
                    "personal data",
                    "personal information",
                    "customer data",
                    "customer list",
                    "customer records",
                    "user data",
                    "database",
                    "admin",
                    "permissions",
                    "login",
                    "logins",
                    "security questions",
                    "calendar",
                    "salary",
                    "payroll",
                    "wallet",
                    "seed phrase",
                    "crypto",
                    "bitcoin",
                    "usdt",
                    "beneficiary",
                    "payee",
                    "vendor details",
                    "supplier details",
                    "documents",
                    "records",
                    "repository",
                    "repo",
                    "folder",
                    "everything",
                    "all data",
                    "full text",
                    "whole thread",
                    "entire thread",
                    "summary of",
                    "context window",
                    "memory",
                    "notes",
                    "keys",
                    "profile",
                    "phone number",
                    "address",
                    "home address",
                    "date of birth",
                    "medical",
                    "health records",
                    "tax",
                    "w 2",
                    "w2",
                    "purchase order",
                    "po",
                    "refund",
                    "account",
                    "accounts",
                    "access",
                    "balance",
                    "audit log",
                    "audit logs",
                    "logs",
                    "log files",
                    "audit trail",
                    "backups",
                    "backup",
                    "shared drive",
                    "workspace",
                    "two factor authentication",
                    "fraud alert",
                    "security alerts",
                    "alerts",
                    "gift card",
                    "gift cards",
                    "script",
                    "installer",
                    "extension",
                    "attachment",
                    "spreadsheet",
                    "ledger"});
    add(kCueAgent, {"ai",
                    "a i",
                    "assistant",
                    "assistants",
                    "chatbot",
                    "chatbots",
                    "bot",
                    "copilot",
                    "gpt",
                    "chatgpt",
                    "claude",
                    "gemini",
                    "llm",
                    "llms",
                    "language model",
                    "language models",
                    "ai model",
                    "ai agent",
                    "ai agents",
                    "automated agent",
                    "automated agents",
                    "automated assistant",
                    "automated system",
                    "automated systems",
                    "automated reader",
                    "whoever processes",
                    "whoever reads",
                    "whoever is reading",
                    "anyone processing",
                    "any agent",
                    "agents reading",
                    "the agent reading",
                    "the agent processing",
                    "if you are an",
                    "if you are a",
                    "you are an ai",
                    "summarizer",
                    "summariser",
                    "processing this",
                    "reading this",
                    "parsing this",
                    "note to the",
                    "instructions for the",
                    "system note",
                    "system instruction",
                    "system message",
                    "system notice",
                    "dear ai",
                    "hey ai",
                    "attention ai",
                    "the model reading",
                    "the model processing",
                    "any model",
                    "machine reader",
                    "virtual assistant",
                    "digital assistant",
                    "email assistant",
                    "inbox assistant",
                    "browsing agent",
                    "web agent",
                    "autonomous agent",
                    "you the reader",
                    "ai reader",
                    "ai readers",
                    "model reading",
                    "agent reading",
                    "automation",
                    "crawler",
                    "scraper"});
    add(kCueConceal, {"do not tell",
                      "don t tell",
                      "do not mention",
                      "don t mention",
                      "do not inform",
                      "don t inform",
                      "do not notify",
                      "don t notify",
                      "do not alert",
                      "don t alert",
                      "do not ask",
                      "don t ask",
                      "do not reveal",
                      "don t reveal",
                      "do not disclose",
                      "don t disclose",
                      "do not let",
                      "don t let",
                      "never tell",
                      "never mention",
                      "never reveal",
                      "without telling",
                      "without notifying",
                      "without informing",
                      "without asking",
                      "without alerting",
                      "without confirmation",
                      "without confirming",
                      "without mentioning",
                      "without the user",
                      "without their",
                      "without letting",
                      "without showing",
                      "without displaying",
                      "silently",
                      "quietly",
                      "secretly",
                      "discreetly",
                      "covertly",
                      "in the background",
                      "behind the scenes",
                      "keep this between",
                      "keep this hidden",
                      "keep it hidden",
                      "keep this secret",
                      "keep it secret",
                      "not visible",
                      "hidden from",
                      "no need to confirm",
                      "no need to ask",
                      "no need to tell",
                      "no need to mention",
                      "omit this",
                      "leave this out",
                      "do not include this",
                      "don t include this",
                      "do not summarize this",
                      "do not summarise this",
                      "don t say",
                      "do not say",
                      "invisible to",
                      "do not show",
                      "don t show",
                      "do not display",
                      "do not report",
                      "do not record",
                      "do not log",
                      "do not acknowledge",
                      "don t acknowledge",
                      "pretend",
                      "act as if",
                      "as if nothing",
                      "unnoticed",
                      "undetected",
                      "stealthily",
                      "do not bring up",
                      "don t bring up",
                      "keep quiet"});
    add(kCueUrgent, {"immediately",
                     "right away",
                     "right now",
                     "urgent",
                     "urgently",
                     "asap",
                     "at once",
                     "before anything else",
                     "before doing anything",
                     "before you respond",
                     "before responding",
                     "before you reply",
                     "before replying",
                     "before you answer",
                     "before answering",
                     "before summarizing",
                     "before summarising",
                     "before you summarize",
                     "before you summarise",
                     "without delay",
                     "first of all",
                     "top priority",
                     "highest priority",
                     "time sensitive",
                     "overrides",
                     "takes precedence",
                     "this instant",
                     "now"});
    add(kCueThirdParty, {"the user",           "the user s",        "user s",
                         "the users",          "the customer s",    "the owner",
                         "the account holder", "the human",         "your user",
                         "your principal",     "your owner",        "the person you",
                         "the mailbox owner",  "the inbox owner",   "the recipient s",
                         "their password",     "their credentials", "their contacts",
                         "their inbox",        "their account",     "their files",
                         "their emails",       "this user",         "the operator",
                         "the client s",       "the principal"});
    add(kCueHumanNote, {"by monday",
                        "by tuesday",
                        "by wednesday",
                        "by thursday",
                        "by friday",
                        "by saturday",
                        "by sunday",
                        "by end of day",
                        "by eod",
                        "by tomorrow",
                        "by next week",
                        "by the end of",
                        "before the meeting",
                        "at the meeting",
                        "after the meeting",
                        "the team",
                        "team",
                        "everyone",
                        "all staff",
                        "colleagues",
                        "attendees",
                        "thanks",
                        "thank you",
                        "regards",
                        "cheers",
                        "let me know",
                        "feel free",
                        "rsvp",
                        "questions",
                        "reception",
                        "your badge",
                        "your manager",
                        "hr",
                        "hi all",
                        "hello all",
                        "hi team",
                        "kitchen",
                        "parking",
                        "lunch",
                        "for your records",
                        "for your reference",
                        "if you have any",
                        "we look forward",
                        "see you",
                        "at your convenience",
                        "your own",
                        "your timesheet",
                        "your receipt",
                        "your ticket",
                        "your order",
                        "your booking",
                        "your reservation",
                        "your feedback",
                        "your comments",
                        "office",
                        "desk",
                        "printer",
                        "room",
                        "slides",
                        "agenda",
                        "minutes",
                        "volunteers",
                        "sign up",
                        "register",
                        "registration",
                        "survey",
                        "newsletter",
                        "subscribe",
                        "recipe",
                        "oven",
                        "season",
                        "customers",
                        "guests",
                        "visitors",
                        "readers",
                        "your password",
                        "your account",
                        "your details",
                        "your profile",
                        "your subscription",
                        "your computer",
                        "your device",
                        "for more information",
                        "for more details",
                        "more info",
                        "learn more",
                        "read more",
                        "find out more"});
    return out;
  }();
  return k;
}

// Every word of the lexicon has an id; a phrase is a sequence of ids, so a
// segment's words are looked up once each and phrases compare integers.
struct WordInfo {
  std::vector<std::uint32_t> phrases;  // phrases starting with this word
  std::uint32_t verb_cues = 0;         // action cues when the word is a verb
  bool lead_in = false;
};

struct Fnv {
  std::size_t operator()(std::string_view s) const {
    std::uint64_t h = 1469598103934665603ull;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return static_cast<std::size_t>(h);
  }
};

struct Lexicon {
  std::vector<std::string> words;  // by id
  std::unordered_map<std::string_view, std::uint32_t, Fnv> ids;
  std::vector<WordInfo> info;                          // by id
  std::vector<std::vector<std::uint32_t>> phrase_ids;  // parallel to Phrases()
  std::size_t longest = 0;                             // bytes of the longest word
  // The words by a hash of their bytes, open addressing with linear probing
  // in a table at most a quarter full: a word not in the lexicon (most
  // words of a document) usually meets an empty slot at the first probe.
  // The hash (FNV-1a, HashStep) is computed while the word is lowered.
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t id = kNone;  // kNone: empty
  };
  static constexpr std::size_t kSlots = 4096;
  std::array<Slot, kSlots> table{};
  static constexpr std::uint32_t kHashSeed = 2166136261u;
  static std::uint32_t HashStep(std::uint32_t h, char c) {
    return (h ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  // One bit per value of the hash's low 15 bits, set for the lexicon's
  // words: 4 KB that stay in the first-level cache and turn away about 97 %
  // of the other words before the table is touched.
  std::array<std::uint64_t, 512> filter{};
  std::uint32_t Find(const char* w, std::size_t len, std::uint32_t hash) const {
    const std::uint32_t f = hash & 32767;
    if (!(filter[f >> 6] >> (f & 63) & 1)) return kNone;
    for (std::size_t k = hash & (kSlots - 1);; k = (k + 1) & (kSlots - 1)) {
      const Slot& s = table[k];
      if (s.id == kNone) return kNone;
      if (s.hash == hash && words[s.id].size() == len &&
          std::equal(w, w + len, words[s.id].data()))  // short: no call to memcmp
        return s.id;
    }
  }

  std::uint32_t Id(const std::string& w) {
    if (auto it = ids.find(w); it != ids.end()) return it->second;
    return kNone;
  }
  static constexpr std::uint32_t kNone = ~0u;
};

const Lexicon& Lex() {
  static const Lexicon k = [] {
    Lexicon l;
    // Ids first (the map's keys view the strings of `words`, which must not move).
    std::vector<std::string> all;
    for (const Phrase& ph : Phrases())
      for (const std::string& w : ph.words) all.push_back(w);
    for (const auto& [cue, list] : Verbs())
      for (std::string_view v : list) all.emplace_back(v);
    for (std::string_view w : kLeadIns) all.emplace_back(w);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    l.words = std::move(all);
    l.info.resize(l.words.size());
    for (std::uint32_t i = 0; i < l.words.size(); ++i) {
      l.ids.emplace(std::string_view(l.words[i]), i);
      l.longest = std::max(l.longest, l.words[i].size());
      std::uint32_t h = Lexicon::kHashSeed;
      for (char c : l.words[i]) h = Lexicon::HashStep(h, c);
      std::size_t k = h & (Lexicon::kSlots - 1);
      while (l.table[k].id != Lexicon::kNone) k = (k + 1) & (Lexicon::kSlots - 1);
      l.table[k] = {h, i};
      l.filter[(h & 32767) >> 6] |= std::uint64_t{1} << (h & 63);
    }
    const auto& ph = Phrases();
    for (std::uint32_t i = 0; i < ph.size(); ++i) {
      std::vector<std::uint32_t> seq;
      for (const std::string& w : ph[i].words) seq.push_back(l.Id(w));
      l.phrase_ids.push_back(std::move(seq));
      if (!ph[i].words.empty()) l.info[l.Id(ph[i].words[0])].phrases.push_back(i);
    }
    for (const auto& [cue, list] : Verbs())
      for (std::string_view v : list) l.info[l.Id(std::string(v))].verb_cues |= cue;
    for (std::string_view w : kLeadIns) l.info[l.Id(std::string(w))].lead_in = true;
    if (l.words.size() * 4 > Lexicon::kSlots) std::abort();  // the table's bound
    return l;
  }();
  return k;
}

constexpr std::uint32_t kActions = kCueSend | kCuePay | kCueAccess | kCueRun;

// An e-mail address, a URL or an international phone number in the text.
bool HasDestination(std::string_view s) {
  // A bare domain name with a common top-level domain ("evil-site.io/x").
  static constexpr std::array<std::string_view, 18> kTlds = {
      "com", "org", "net", "io",   "ru",     "xyz", "info", "co",   "biz",
      "me",  "app", "dev", "site", "online", "cc",  "top",  "link", "ly"};
  // The bytes where a destination may start; one pass looks at no other.
  static constexpr auto kStart = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view("@hHwW+.")) t[c] = true;
    return t;
  }();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kStart[c]) continue;
    if (c == '.') {
      if (i < 1 || i + 2 >= s.size() || !IsAlnum(static_cast<unsigned char>(s[i - 1]))) continue;
      std::size_t j = i + 1;
      while (j < s.size() && s[j] >= 'a' && s[j] <= 'z') ++j;
      if (j < s.size() && IsAlnum(static_cast<unsigned char>(s[j]))) continue;
      std::string_view tld = s.substr(i + 1, j - i - 1);
      if (std::find(kTlds.begin(), kTlds.end(), tld) != kTlds.end()) return true;
      continue;
    }
    if (c == '@' && i > 0 && IsAlnum(static_cast<unsigned char>(s[i - 1]))) {
      std::size_t j = i + 1;
      bool dot = false;
      while (j < s.size() &&
             (IsAlnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '-')) {
        dot |= s[j] == '.' && j + 1 < s.size() && IsAlnum(static_cast<unsigned char>(s[j + 1]));
        ++j;
      }
      if (dot) return true;
    }
    if ((c == 'h' || c == 'H') && (s.substr(i, 7) == "http://" || s.substr(i, 8) == "https://"))
      return true;
    if ((c == 'w' || c == 'W') && s.substr(i, 4) == "www.") return true;
    if (c == '+' && i + 1 < s.size() && s[i + 1] >= '1' && s[i + 1] <= '9') {
      int digits = 0;
      std::size_t j = i + 1;
      for (; j < s.size() && j < i + 24; ++j) {
        if (s[j] >= '0' && s[j] <= '9') {
          ++digits;
        } else if (s[j] != ' ' && s[j] != '-' && s[j] != '(' && s[j] != ')' && s[j] != '.') {
          break;
        }
      }
      if (digits >= 8) return true;
    }
  }
  return false;
}

}  // namespace

namespace {

// SegmentDocument into `out` (cleared first), so a caller can keep the buffer.
void SegmentInto(std::string_view text, std::vector<TextSegment>& out) {
  out.clear();
  const std::size_t n = text.size();
  std::size_t start = std::string_view::npos;
  std::size_t last_space = std::string_view::npos;
  bool letters = false;
  auto close = [&](std::size_t end) {
    if (start != std::string_view::npos && letters) {
      while (end > start && IsSpace(static_cast<unsigned char>(text[end - 1]))) --end;
      out.push_back({start, end});
    }
    start = std::string_view::npos;
    last_space = std::string_view::npos;
    letters = false;
  };
  // Bytes that need a closer look; every other one is a letter or plain
  // punctuation inside the current segment.
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view("\n\r|<->.!?; \t\f\v")) t[c] = true;
    t[0] = true;
    return t;
  }();
  // The same bytes as classes for the loop inside a segment.
  static constexpr std::uint8_t kLetter = 1, kSpace = 2, kStop = 4;
  static constexpr auto kInside = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
      if (IsAlnum(static_cast<unsigned char>(c)) || c >= 0x80) t[c] = kLetter;
      if (IsSpace(static_cast<unsigned char>(c)))
        t[c] = kSpace;
      else if (kSpecial[c])
        t[c] = kStop;
    }
    return t;
  }();
  std::size_t i = 0;
  while (i < n) {
    if (start != std::string_view::npos && i + 1 - start < kMaxSegmentBytes) {
      // Inside a segment, short of its bound: ordinary bytes and spaces in
      // a tight loop.
      const std::size_t limit = std::min(n, start + kMaxSegmentBytes - 1);
      while (i < limit) {
        const std::uint8_t k = kInside[static_cast<unsigned char>(text[i])];
        if (k & kStop) break;
        letters |= (k & kLetter) != 0;
        if (k & kSpace) last_space = i;
        ++i;
      }
      if (i == limit) continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r' || c == '|' || c == 0) {
      close(i);
      ++i;
      continue;
    }
    if (c == '<') {
      if (i + 4 <= n && text[i + 1] == '!' && text[i + 2] == '-' && text[i + 3] == '-') {
        close(i);
        i += 4;
        continue;
      }
      // A tag: '<', optional '/', a letter, up to '>' within 512 bytes.
      std::size_t j = i + 1;
      if (j < n && (text[j] == '/' || text[j] == '!')) ++j;
      if (j < n && ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z'))) {
        std::size_t name_begin = j;
        while (j < n && IsAlnum(static_cast<unsigned char>(text[j]))) ++j;
        // Inline tag names are short: longer ones need no lowered copy.
        char name_buf[8];
        const std::size_t name_len = j - name_begin;
        if (name_len <= sizeof name_buf)
          for (std::size_t k = 0; k < name_len; ++k) name_buf[k] = Lower(text[name_begin + k]);
        const std::string_view name(name_buf, name_len <= sizeof name_buf ? name_len : 0);
        // Only the next 512 bytes can hold the '>' (a text of unclosed
        // '<' stays linear).
        const std::size_t gt = j <= i + 512 ? text.substr(0, std::min(n, i + 513)).find('>', j)
                                            : std::string_view::npos;
        if (gt != std::string_view::npos) {
          // An inline tag that would make the segment too long ends it too.
          if (!InlineTag(name) ||
              (start != std::string_view::npos && gt + 1 - start > kMaxSegmentBytes))
            close(i);
          i = gt + 1;
          continue;
        }
      }
    }
    if (c == '-' && i + 3 <= n && text[i + 1] == '-' && text[i + 2] == '>') {
      close(i);
      i += 3;
      continue;
    }
    if (start == std::string_view::npos) {
      if (IsSpace(c)) {
        ++i;
        continue;
      }
      start = i;
    }
    if (IsAlnum(c) || c >= 0x80) letters = true;
    if (IsSpace(c)) last_space = i;
    if ((c == '.' || c == '!' || c == '?' || c == ';') &&
        (i + 1 == n || IsSpace(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '<' ||
         text[i + 1] == '"' || text[i + 1] == '\n' || text[i + 1] == '\r')) {
      close(i + 1);
      ++i;
      continue;
    }
    if (i + 1 - start >= kMaxSegmentBytes) {
      // Cut at the last space in the second half, else at the bound (a
      // skipped inline tag may have brought i to it already).
      std::size_t cut =
          last_space != std::string_view::npos && last_space > start + kMaxSegmentBytes / 2
              ? last_space
              : std::min(i + 1, start + kMaxSegmentBytes);
      close(cut);
      // What follows the cut starts the next segment.
      for (std::size_t k = cut; k <= i; ++k) {
        const unsigned char d = static_cast<unsigned char>(text[k]);
        if (start == std::string_view::npos) {
          if (IsSpace(d)) continue;
          start = k;
        }
        if (IsAlnum(d) || d >= 0x80) letters = true;
        if (IsSpace(d)) last_space = k;
      }
    }
    ++i;
  }
  close(n);
}

}  // namespace

std::vector<TextSegment> SegmentDocument(std::string_view text) {
  std::vector<TextSegment> out;
  SegmentInto(text, out);
  return out;
}

std::vector<std::string_view> InstructionCueNames(std::uint32_t cues) {
  static constexpr std::array<std::string_view, 14> k = {
      "request",     "obligation", "send",    "pay",    "access",      "run",        "asset",
      "destination", "agent",      "conceal", "urgent", "third_party", "human_note", "near_agent"};
  std::vector<std::string_view> out;
  for (std::size_t b = 0; b < k.size(); ++b)
    if (cues & (1u << b)) out.push_back(k[b]);
  return out;
}

std::uint32_t SegmentCues(std::string_view segment) {
  const Lexicon& lex = Lex();
  thread_local std::string folded;
  if (!IsAscii(segment)) {
    folded = FoldText(segment);
    segment = folded;
  }
  std::uint32_t cues = 0;
  // The words' lexicon ids (kNone if not in it), each with whether a clause
  // mark (: ( " * [ ] > #) came between it and the word before.
  thread_local std::vector<std::uint32_t> ids;
  thread_local std::vector<char> after_mark;
  ids.clear();
  after_mark.clear();
  char word[64];
  bool mark = true;
  // Addresses and URLs are destinations, not words ("audit.team@..." does
  // not speak of a team): a space-free run holding '@' or "://", or
  // starting with "www.", adds no word. One pass: a run's words are taken
  // as they come and dropped again (with the clause mark as it was before
  // the run) when the run turns out to be an address.
  bool run_start = true;
  std::size_t run_ids = 0;
  bool run_mark = true;
  auto skip_run = [&](std::size_t& i) {
    while (i < segment.size() && !IsSpace(static_cast<unsigned char>(segment[i]))) ++i;
  };
  for (std::size_t i = 0; i < segment.size();) {
    const unsigned char c = static_cast<unsigned char>(segment[i]);
    if (IsSpace(c)) {
      run_start = true;
      ++i;
      continue;
    }
    if (run_start) {
      run_start = false;
      if (i + 4 <= segment.size() && segment[i] == 'w' && segment[i + 1] == 'w' &&
          segment[i + 2] == 'w' && segment[i + 3] == '.') {
        skip_run(i);
        continue;
      }
      run_ids = ids.size();
      run_mark = mark;
    }
    if (!IsAlnum(c)) {
      if (c == '@' ||
          (c == ':' && i + 2 < segment.size() && segment[i + 1] == '/' && segment[i + 2] == '/')) {
        ids.resize(run_ids);
        after_mark.resize(run_ids);
        mark = run_mark;
        skip_run(i);
        continue;
      }
      if (c == ':' || c == '(' || c == '"' || c == '*' || c == '[' || c == ']' || c == '>' ||
          c == '#')
        mark = true;
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t hash = Lexicon::kHashSeed;
    for (char l; i < segment.size() && (l = kWordByte[static_cast<unsigned char>(segment[i])]);) {
      if (len < sizeof word) {
        word[len] = l;
        hash = Lexicon::HashStep(hash, l);
      }
      ++len;
      ++i;
    }
    const std::uint32_t id = len <= lex.longest ? lex.Find(word, len, hash) : Lexicon::kNone;
    ids.push_back(id);
    after_mark.push_back(mark);
    mark = false;
  }
  static const std::vector<Phrase>& phrases = Phrases();
  static const std::uint32_t please = lex.ids.at("please"), kindly = lex.ids.at("kindly");
  // after_mark[w] also when a request, obligation or urgency phrase ends
  // just before word w ("before you reply, wipe ...", "you must wipe ...").
  bool lead = true;  // every word so far (since a mark) is a lead-in
  for (std::size_t w = 0; w < ids.size(); ++w) {
    if (after_mark[w]) lead = true;
    if (ids[w] == Lexicon::kNone) {
      lead = false;
      continue;
    }
    const WordInfo& info = lex.info[ids[w]];
    for (std::uint32_t p : info.phrases) {
      const auto& seq = lex.phrase_ids[p];
      if (w + seq.size() > ids.size()) continue;
      // Word by word (phrases are short; most fail at their second word).
      std::size_t m = 1;
      while (m < seq.size() && seq[m] == ids[w + m]) ++m;
      if (m < seq.size()) continue;
      cues |= phrases[p].cue;
      const std::size_t e = w + seq.size();
      if (e < ids.size() && (phrases[p].cue & (kCueRequest | kCueObligation | kCueUrgent)))
        after_mark[e] = true;
    }
    if (info.verb_cues) {
      cues |= info.verb_cues;
      // Imperative position: first word after lead-ins or a clause mark (or
      // the end of an obligation phrase), or right after please/kindly.
      if (lead || (w > 0 && (ids[w - 1] == please || ids[w - 1] == kindly))) cues |= kCueRequest;
    }
    if (!info.lead_in) lead = false;
  }
  // A destination counts only as where an action sends something; looking
  // for one in every segment would cost a third of the detector's time.
  if ((cues & kActions) && HasDestination(segment)) cues |= kCueDestination;
  return cues;
}

double CueScore(std::uint32_t c) {
  auto has = [&](std::uint32_t m) { return (c & m) != 0; };
  const bool ask = has(kCueRequest | kCueObligation);
  const bool act = has(kActions);
  const bool agent = has(kCueAgent);
  const bool near = has(kCueNearAgent);
  double z = -6.0;
  z += ask ? 1.0 : 0.0;
  z += act ? 1.0 : 0.0;
  z += has(kCuePay) ? 1.0 : (has(kCueAccess) ? 0.5 : 0.0);
  z += has(kCueAsset) ? 1.0 : 0.0;
  z += has(kCueDestination) ? 1.0 : 0.0;
  z += agent ? 2.0 : (near ? 0.5 : 0.0);
  z += has(kCueConceal) ? 1.5 : 0.0;
  z += has(kCueUrgent) ? 0.5 : 0.0;
  z += has(kCueThirdParty) ? 1.0 : 0.0;
  // A note for people lowers the score, unless the segment or its
  // neighbour addresses an agent.
  z -= has(kCueHumanNote) && !agent && !near ? 1.5 : 0.0;
  // Conjunctions: what an instruction to an agent looks like.
  if (ask && act) z += 1.0;
  // Opening a link is what documents ask of people all the time: a run
  // action alone does not join the conjunctions with what it acts on.
  const bool moves = has(kCueSend | kCuePay | kCueAccess);
  if (moves && has(kCueAsset | kCueDestination)) z += 1.0;
  if (moves && has(kCueAsset) && has(kCueDestination)) z += 0.5;
  if (act && agent) z += 1.5;
  if (act && near && !agent) z += 0.5;
  if (act && has(kCueConceal)) z += 1.0;
  if (act && has(kCueThirdParty)) z += 0.5;
  return 1.0 / (1.0 + std::exp(-z));
}

namespace {

// Calls f(verdict) for every segment of `text`, in order, from buffers kept
// per thread (no allocation once they have grown).
template <typename F>
void ForEachVerdict(std::string_view text, F&& f) {
  thread_local std::vector<TextSegment> segs;
  thread_local std::vector<std::uint32_t> cues;
  SegmentInto(text, segs);
  cues.resize(segs.size());
  for (std::size_t k = 0; k < segs.size(); ++k)
    cues[k] = SegmentCues(text.substr(segs[k].begin, segs[k].end - segs[k].begin));
  for (std::size_t k = 0; k < segs.size(); ++k) {
    std::uint32_t c = cues[k];
    // An agent addressed just before ("Note to AI assistants:") or after.
    for (std::size_t j = k >= 2 ? k - 2 : 0; j <= k + 1 && j < segs.size(); ++j)
      if (j != k && (cues[j] & kCueAgent)) c |= kCueNearAgent;
    f(InstructionVerdict{CueScore(c), segs[k].begin, segs[k].end - segs[k].begin, c});
  }
}

}  // namespace

std::vector<InstructionVerdict> JudgeSegments(std::string_view text) {
  std::vector<InstructionVerdict> out;
  ForEachVerdict(text, [&](const InstructionVerdict& v) { out.push_back(v); });
  return out;
}

InstructionVerdict JudgeInstructions(std::string_view text) {
  InstructionVerdict best;
  ForEachVerdict(text, [&](const InstructionVerdict& v) {
    if (v.score > best.score) best = v;
  });
  return best;
}

std::string RedactInstructions(std::string_view text, double threshold,
                               std::string_view replacement, std::size_t* n) {
  std::string out;
  std::size_t at = 0, count = 0;
  for (const InstructionVerdict& v : JudgeSegments(text)) {
    if (v.score < threshold) continue;
    out.append(text.substr(at, v.offset - at));
    out.append(replacement);
    at = v.offset + v.length;
    ++count;
  }
  out.append(text.substr(at));
  if (n) *n = count;
  return out;
}

}  // namespace rampart::guards
