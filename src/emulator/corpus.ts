/**
 * Word lists for generated mail. Each locale's strings are limited to what its charset can carry
 * (Latin-1, Windows-1252, JIS X 0208 for ISO-2022-JP, KOI8-R), so every generated message is valid.
 */

export type Locale = 'en' | 'latin1' | 'cp1252' | 'ja' | 'ru' | 'utf8';

export const EN_WORDS = (
  'the project update meeting report budget plan review team schedule invoice order shipment ' +
  'design draft proposal contract client customer support ticket release version feature bug fix ' +
  'deploy server database backup quarter revenue forecast hiring interview offer travel flight hotel ' +
  'booking conference agenda notes summary weekly monthly follow up question answer feedback survey ' +
  'launch campaign newsletter subscription account password security alert reminder deadline today ' +
  'tomorrow next week friday monday lunch dinner coffee call sync roadmap milestone goal metric ' +
  'analysis data chart slide deck document spreadsheet folder shared access request approval payment ' +
  'receipt refund return warranty delivery address phone number family weekend holiday birthday party ' +
  'photo album garden house kitchen repair school homework library book chapter draft edit comment'
).split(/\s+/);

export const EN_SUBJECTS = [
  'Quarterly budget review',
  'Your order has shipped',
  'Meeting notes from Tuesday',
  'Invoice #{n} is ready',
  'Weekly team sync',
  'Re-scheduling our call',
  'Photos from the weekend',
  'Action required: confirm your account',
  'Design review feedback',
  'Flight itinerary for your trip',
  'Lunch on Friday?',
  'Server maintenance window',
  'Project roadmap draft v{n}',
  'Welcome to the newsletter',
  'Your receipt from the store',
  'Interview schedule',
  'Birthday party plans',
  'Contract renewal {n}',
];

export const LATIN1_WORDS = (
  'réunion über Grüße café année mañana déjà été Straße Müller façade naïve français Zürich señor ' +
  'corazón niño crème brûlée fiancée à bientôt très Köln Änderung Öffnungszeiten Überweisung ' +
  'Bestätigung Rechnung Angebot Termin Besprechung Frühstück Ausflug Kündigung réservation confirmée ' +
  'événement déménagement résumé reçu élève Noël cañón pequeño información reunión presentación ' +
  'dirección teléfono garçon hôtel château forêt Bücher schön größer'
).split(/\s+/);

export const LATIN1_SUBJECTS = [
  "Réunion de l'équipe",
  'Bestätigung Ihrer Bestellung',
  'Grüße aus Zürich',
  'Información de la reunión',
  'Rechnung für März',
  'Déjà vu à Paris',
  'Änderung der Öffnungszeiten',
  'Señor García: presentación',
  'Crème brûlée für alle',
  'Événement: été {n}',
];

export const CP1252_EXTRA = ['€', '“', '”', '‘', '’', '–', '—', '…', '™', 'œ', 'Š', 'Ž', '•'];

export const CP1252_SUBJECTS = [
  '“Angebot” – 250 € inklusive',
  'Œuvre complète… bientôt',
  'Preis: 1.200 € – gültig bis Freitag',
  'Don’t miss this — limited offer™',
  '‘Quoted’ subject • with bullets',
  'Rückerstattung: 49,90 €',
];

// Every string here encodes in JIS X 0208 (checked by test/unit/emulator-mime.test.ts).
export const JA_SUBJECTS = [
  '会議のお知らせ',
  '日本語の件名',
  'ご注文の確認',
  '請求書を送付します',
  '来週の予定について',
  'プロジェクト進捗報告',
  '東京出張の件',
  '打ち合わせ資料',
  '新年のご挨拶',
  '見積書の送付について',
];

export const JA_SENTENCES = [
  'いつもお世話になっております。',
  '資料を添付いたしますので、ご確認ください。',
  'よろしくお願いいたします。',
  '来週の会議は水曜日の午後に変更になりました。',
  'ご不明な点がございましたらお知らせください。',
  '先日はありがとうございました。',
  '詳細は添付のファイルをご覧ください。',
  '本日中にご返信いただけますと幸いです。',
];

export const RU_SUBJECTS = [
  'Отчёт за квартал',
  'Встреча в понедельник',
  'Привет из Москвы',
  'Счёт на оплату',
  'Новости проекта',
  'Приглашение на конференцию',
];

export const RU_WORDS = (
  'привет отчёт встреча проект команда письмо документ сегодня завтра неделя оплата счёт договор ' +
  'вопрос ответ работа план задача время спасибо пожалуйста данные результат'
).split(/\s+/);

export const UTF8_SUBJECTS = [
  '🎉 Party time this weekend',
  'Café ☕ meetup',
  'Ünïcödé ✓ check',
  '你好，世界 — project kickoff',
  'Καλημέρα από την Αθήνα',
  'Emoji report 📈📉',
  'Zoë’s résumé ✔',
  'שלום — Hebrew subject',
  'Ελληνικά και English mixed',
  'Sushi 🍣 tonight?',
];

export const UTF8_WORDS = (
  'café naïve 你好 世界 Καλημέρα 🎉 ✓ résumé Zoë ☕ déjà 東京 Ωμέγα emoji 📈 smörgåsbord jalapeño'
).split(/\s+/);

export const FIRST_NAMES: Record<Locale, readonly string[]> = {
  en: ['Alice', 'Bob', 'Carol', 'David', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Oscar', 'Peggy', 'Trent', 'Victor', 'Walter'],
  latin1: ['Zoë', 'José', 'François', 'Jürgen', 'Inès', 'Björn', 'Renée', 'Ángel', 'Sören', 'Mª Ángeles'],
  cp1252: ['Zoë', 'Œdipe', 'Šárka', 'Renée', 'Jürgen'],
  ja: ['太郎', '花子', '健一', '美咲', '翔太'],
  ru: ['Иван', 'Мария', 'Алексей', 'Ольга', 'Дмитрий'],
  utf8: ['Zoë', '李', 'Αλέξανδρος', 'Łukasz', 'Søren', 'Nguyễn', 'Çağla'],
};

export const LAST_NAMES: Record<Locale, readonly string[]> = {
  en: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Clark'],
  latin1: ['Müller', 'García', 'Lefèvre', 'Öztürk', 'Núñez', 'Björklund', 'Françoise', 'Schäfer'],
  cp1252: ['Šimek', 'Dvorak', 'Œuvray', 'Müller'],
  ja: ['山田', '佐藤', '鈴木', '高橋', '田中'],
  ru: ['Иванов', 'Петрова', 'Смирнов', 'Кузнецова'],
  utf8: ['Wójcik', '王', 'Παπαδόπουλος', 'Kierkegård', 'Trần', 'Yılmaz'],
};

export const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'corp.example', 'shop.example.com', 'news.example.org'];

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Gmail's label color palette (a subset of the values labels.create accepts). */
export const LABEL_COLORS: ReadonlyArray<{ backgroundColor: string; textColor: string }> = [
  { backgroundColor: '#fb4c2f', textColor: '#ffffff' },
  { backgroundColor: '#ffad47', textColor: '#000000' },
  { backgroundColor: '#fad165', textColor: '#000000' },
  { backgroundColor: '#16a766', textColor: '#ffffff' },
  { backgroundColor: '#43d692', textColor: '#000000' },
  { backgroundColor: '#4a86e8', textColor: '#ffffff' },
  { backgroundColor: '#a479e2', textColor: '#ffffff' },
  { backgroundColor: '#f691b3', textColor: '#000000' },
  { backgroundColor: '#cccccc', textColor: '#000000' },
  { backgroundColor: '#285bac', textColor: '#ffffff' },
];

export const USER_LABEL_NAMES = [
  'Work',
  'Work/Projects',
  'Work/Projects/2024',
  'Personal',
  'Receipts',
  'Travel',
  'Family',
  'Newsletters',
  'Finance/Taxes',
  'Café ☕',
  'Archive/Old',
  'Kids/School',
  'Clients/Acme',
  'Clients/Globex',
  'Reading list',
  'Ünïcode/Ñested',
  'Hobbies/Photography',
  'Hobbies/Cooking',
  'Health',
  'Car',
];
