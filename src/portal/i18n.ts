import type { ErrorCode } from '../shared/errors.js';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** Picks from Accept-Language by quality; English when nothing matches. */
export function pickLanguage(acceptLanguage: string | undefined): Language {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.lang).find(isLanguage) ?? 'en';
}

const en = {
  htmlLang: 'en',
  switchTo: 'Русский',
  title: 'Free Wi-Fi',
  welcome: 'Sign in with your mobile number to get online.',
  phoneLabel: 'Mobile number',
  phoneHint: 'We will text you a code. Standard messaging rates may apply.',
  sendCode: 'Send code',
  privateAddress:
    'Your phone uses a private Wi-Fi address for this network. We will recognise it next time on this network; if the address changes (a new network, or "rotating" private addresses) we will ask for a code again.',
  codeSent: 'We sent a code to {phone}.',
  codeLabel: 'Code from the SMS',
  confirm: 'Confirm',
  resend: 'Send a new code',
  changeNumber: 'Use another number',
  consentHeading: 'Almost done',
  terms: 'I accept the terms of use of this Wi-Fi (required)',
  termsLink: 'Read the terms',
  smsMarketing: 'Send me offers from {venue} by SMS (optional)',
  crmSharing: "Share my number with {venue}'s loyalty programme (optional)",
  consentNote: 'You can change your mind at any time: reply STOP to any message.',
  connect: 'Connect',
  loyaltyHeading: 'Join the loyalty programme?',
  name: 'Name',
  birthday: 'Birthday',
  gender: 'Gender',
  genderFemale: 'Female',
  genderMale: 'Male',
  genderOther: 'Other',
  genderUnsaid: 'Prefer not to say',
  join: 'Join and connect',
  skip: 'Skip and connect',
  welcomeBack: 'Welcome back, {phone}',
  welcomeBackHint: 'This device is signed in with your number. Connect without a code.',
  notMe: 'Not you? Use another number',
  stopMarketing: 'Stop marketing messages',
  stopMarketingDone: 'Done: {venue} will not send you marketing messages any more. This takes effect at once.',
  optOutTitle: 'Stop SMS offers',
  optOutIntro: 'Stop getting offers by SMS from {org}.',
  optOutNumber: 'Number: {phone}',
  optOutButton: 'Stop SMS offers',
  optOutDoneTitle: 'You will get no more SMS offers',
  optOutDone: '{org} will not send you marketing SMS any more. This takes effect at once.',
  optOutDoneHint: 'Messages you ask for, such as Wi-Fi sign-in codes, still arrive.',
  pendingHeading: 'Connecting…',
  pendingHint: 'The Wi-Fi is letting your device on. This page refreshes by itself.',
  continue: 'Continue',
  onlineHeading: "You're online",
  onlineHint: 'Enjoy the Wi-Fi.',
  devCode: 'Development mode: no SMS was sent. Your code is {code}.',
  retryIn: 'Try again in {seconds} s.',
  attemptsLeft: 'Attempts left: {n}.',
  errorHeading: 'Something went wrong',
  reconnect: 'Turn Wi-Fi off and on again to start over.',
};

type Messages = typeof en;

const ru: Messages = {
  htmlLang: 'ru',
  switchTo: 'English',
  title: 'Бесплатный Wi-Fi',
  welcome: 'Войдите по номеру мобильного телефона, чтобы выйти в интернет.',
  phoneLabel: 'Номер мобильного',
  phoneHint: 'Мы пришлём код в SMS.',
  sendCode: 'Получить код',
  privateAddress:
    'Ваш телефон использует для этой сети частный Wi-Fi-адрес. В следующий раз в этой сети мы его узнаем; если адрес сменится (другая сеть или «меняющийся» частный адрес), код придётся ввести снова.',
  codeSent: 'Мы отправили код на номер {phone}.',
  codeLabel: 'Код из SMS',
  confirm: 'Подтвердить',
  resend: 'Отправить код ещё раз',
  changeNumber: 'Другой номер',
  consentHeading: 'Почти готово',
  terms: 'Я принимаю условия использования Wi-Fi (обязательно)',
  termsLink: 'Условия',
  smsMarketing: 'Присылать мне предложения {venue} по SMS (по желанию)',
  crmSharing: 'Передать мой номер в программу лояльности {venue} (по желанию)',
  consentNote: 'Согласие можно отозвать в любой момент: ответьте STOP на любое сообщение.',
  connect: 'Подключиться',
  loyaltyHeading: 'Вступить в программу лояльности?',
  name: 'Имя',
  birthday: 'Дата рождения',
  gender: 'Пол',
  genderFemale: 'Женский',
  genderMale: 'Мужской',
  genderOther: 'Другой',
  genderUnsaid: 'Не указывать',
  join: 'Вступить и подключиться',
  skip: 'Пропустить и подключиться',
  welcomeBack: 'С возвращением, {phone}',
  welcomeBackHint: 'Это устройство уже подтверждено вашим номером. Подключитесь без кода.',
  notMe: 'Это не вы? Другой номер',
  stopMarketing: 'Не присылать рекламу',
  stopMarketingDone: 'Готово: {venue} больше не будет присылать вам рекламные сообщения. Это действует сразу.',
  optOutTitle: 'Отказ от SMS-рассылки',
  optOutIntro: 'Больше не получать предложения {org} по SMS.',
  optOutNumber: 'Номер: {phone}',
  optOutButton: 'Отписаться от SMS',
  optOutDoneTitle: 'Вы отписались от SMS-рассылки',
  optOutDone: '{org} больше не будет присылать вам рекламные SMS. Это действует сразу.',
  optOutDoneHint: 'Сообщения, которые вы запрашиваете сами, например коды для входа в Wi-Fi, по-прежнему придут.',
  pendingHeading: 'Подключаем…',
  pendingHint: 'Wi-Fi открывает доступ вашему устройству. Страница обновится сама.',
  continue: 'Продолжить',
  onlineHeading: 'Вы в сети',
  onlineHint: 'Приятного пользования.',
  devCode: 'Режим разработки: SMS не отправлено. Ваш код: {code}.',
  retryIn: 'Повторите через {seconds} с.',
  attemptsLeft: 'Осталось попыток: {n}.',
  errorHeading: 'Что-то пошло не так',
  reconnect: 'Выключите и снова включите Wi-Fi, чтобы начать заново.',
};

const errors: Record<Language, Partial<Record<ErrorCode, string>>> = {
  en: {
    PORTAL_BAD_LANDING: 'This Wi-Fi sign-in link is not valid.',
    PORTAL_FLOW_EXPIRED: 'This sign-in page has expired.',
    PHONE_INVALID: 'This is not a valid mobile number. Include the country code, e.g. +44 7400 123456.',
    PHONE_NOT_ALLOWED: 'Numbers from this country are not accepted here.',
    PHONE_LANDLINE: 'Codes are sent by SMS: enter a mobile number.',
    CODE_INVALID: 'The code is not correct.',
    CODE_EXPIRED: 'The code has expired or was tried too often. Ask for a new one.',
    SMS_LIMIT_REACHED: 'Too many codes were requested.',
    SMS_BUDGET_EXHAUSTED: 'Sign-in by SMS is not available right now. Please ask the staff.',
    SMS_UNAVAILABLE: 'We could not send an SMS right now. Try again in a minute.',
    GATEWAY_UNAVAILABLE: 'The Wi-Fi access point did not answer. Try again in a minute.',
    GATEWAY_REJECTED: 'The Wi-Fi access point refused to let this device online. Reconnect to the Wi-Fi and try again.',
    CSRF_FAILED: 'This form expired. Please try again.',
    RATE_LIMITED: 'Too many attempts. Try again later.',
    VALIDATION_FAILED: 'Please check the form.',
    NOT_FOUND: 'This Wi-Fi network is not set up for sign-in.',
    OPT_OUT_LINK_INVALID: 'This link is not valid. To stop our messages, reply STOP to any of them.',
  },
  ru: {
    PORTAL_BAD_LANDING: 'Ссылка для входа в Wi-Fi недействительна.',
    PORTAL_FLOW_EXPIRED: 'Страница входа устарела.',
    PHONE_INVALID: 'Это не номер мобильного телефона. Укажите код страны, например +7 912 345-67-89.',
    PHONE_NOT_ALLOWED: 'Номера этой страны здесь не принимаются.',
    PHONE_LANDLINE: 'Код приходит в SMS: укажите мобильный номер.',
    CODE_INVALID: 'Неверный код.',
    CODE_EXPIRED: 'Код устарел или введён неверно слишком много раз. Запросите новый.',
    SMS_LIMIT_REACHED: 'Слишком много запросов кода.',
    SMS_BUDGET_EXHAUSTED: 'Вход по SMS сейчас недоступен. Обратитесь к персоналу.',
    SMS_UNAVAILABLE: 'Не удалось отправить SMS. Попробуйте через минуту.',
    GATEWAY_UNAVAILABLE: 'Точка доступа Wi-Fi не отвечает. Попробуйте через минуту.',
    GATEWAY_REJECTED: 'Точка доступа отказала в доступе. Переподключитесь к Wi-Fi и попробуйте снова.',
    CSRF_FAILED: 'Форма устарела. Попробуйте ещё раз.',
    RATE_LIMITED: 'Слишком много попыток. Попробуйте позже.',
    VALIDATION_FAILED: 'Проверьте заполнение формы.',
    NOT_FOUND: 'Эта сеть Wi-Fi не настроена для входа.',
    OPT_OUT_LINK_INVALID: 'Ссылка недействительна. Чтобы отписаться, ответьте STOP на любое наше сообщение.',
  },
};

export function messages(language: Language): Messages {
  return language === 'ru' ? ru : en;
}

export function errorMessage(language: Language, code: ErrorCode): string {
  return errors[language][code] ?? (language === 'ru' ? 'Что-то пошло не так. Попробуйте ещё раз.' : 'Something went wrong. Please try again.');
}

/** `{name}` placeholders; values are escaped by Handlebars when rendered. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match));
}
