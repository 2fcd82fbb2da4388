## Хабарламалар (электрондық пошта және кіріс жәшігі). Әрбір кілт ru және en файлдарында да болуы керек (тест тексереді).
## notice-<kind>-subject and notice-<kind>-body, <kind> as in notify::Kind::as_str.

notice-application-received-subject = { $number } өтінішіңіз қабылданды
notice-application-received-body = { $org } ұйымына берген { $number } өтінішіңіз қабылданды. Хатшы құжаттардың толықтығын тексереді (Ережелердің 11-тармағы).
notice-application-submitted-subject = Жаңа өтініш { $number }
notice-application-submitted-body = { $candidate } { $number } өтінішін берді. Құжаттардың толықтығын тексеріңіз (11-тармақ).
notice-application-incomplete-subject = { $number } өтінішіңіз толық емес
notice-application-incomplete-body = Құжаттар толық емес немесе оқылмайды (11-тармақ): { $missing }. { $reason } Түзетіп, өтінішті қайта жіберіңіз.
notice-application-complete-subject = { $number } өтінішіңіз толық
notice-application-complete-body = Құжаттарыңыз толық (11-тармақ). Өтініш комиссия отырысына қойылады; отырыс күні туралы хабарлаймыз.
notice-meeting-scheduled-subject = Комиссия отырысы: { $when }
notice-meeting-scheduled-body = { $commission } отырысы { $when } өтеді, орны: { $place }. Күн тәртібінде: { $agenda }. Күнтізбе файлы тіркелген.
notice-meeting-cancelled-subject = Отырыс болдырылмады: { $when }
notice-meeting-cancelled-body = { $commission } отырысы ({ $when }) болдырылмады: { $reason }. Күн тәртібінде болған: { $agenda }. Өтініштер кезекке қайтарылды, келесі отырыста қаралады.
notice-meeting-moved-subject = Отырыс { $when } күніне ауыстырылды
notice-meeting-moved-body = { $was } болатын { $commission } отырысы ауыстырылды: ол { $when } өтеді, орны: { $place }. Күн тәртібінде: { $agenda }. Жаңа күнтізбе файлы тіркелген.
notice-decision-taken-subject = { $number } өтініш бойынша шешім
notice-decision-taken-body = Комиссия { $number } өтінішіңіз бойынша шешім қабылдады: { $result }. Шешім хаттамамен ресімделеді (9-тармақ); хаттама түпкілікті болғанда үзіндіні жүктей аласыз.
notice-protocol-final-subject = Хаттама № { $protocol } түпкілікті
notice-protocol-final-body = { $commission } отырысының хаттамасы № { $protocol } бекітілді және түпкілікті. Оны Tanu-да жүктеп алуға және тексеруге болады.
notice-verify-email-subject = Tanu: электрондық поштаңызды растаңыз
notice-verify-email-body = Tanu-да тіркелгіңіз ашылды. Электрондық пошта Сіздікі екенін растау үшін төмендегі сілтемені ашыңыз (48 сағат жарамды). Тіркелмеген болсаңыз, бұл хатты елемеңіз.
notice-account-exists-subject = Tanu: Сізде тіркелгі бар
notice-account-exists-body = Біреу осы электрондық поштамен Tanu-да қайта тіркелуге тырысты. Сізде тіркелгі бар: кіріңіз, ал құпиясөзді ұмытсаңыз, төмендегі бетте жаңасын сұраңыз. Бұл Сіз болмасаңыз, хатты елемеңіз.
notice-password-reset-subject = Tanu: құпиясөзді қалпына келтіру
notice-password-reset-body = Жаңа құпиясөз орнату үшін төмендегі сілтемені ашыңыз (бір сағат жарамды, бір рет қолданылады). Барлық сеанстар мен API токендері жабылады. Сұрамаған болсаңыз, хатты елемеңіз.
notice-staff-invitation-subject = Tanu: { $org } Сізді қызметкер ретінде шақырады
notice-staff-invitation-body = { $org } Сізді Tanu-да қызметкер ретінде қосты. Қабылдау үшін төмендегі сілтемені ашыңыз (14 күн жарамды). Қабылданбаған қызмет ешқандай рұқсат бермейді.
notice-walk-in-claim-subject = Tanu: { $number } өтінішіңіздің коды
notice-walk-in-claim-body = { $org } Сіздің атыңыздан { $number } өтінішін тіркеді. Оны өз Tanu тіркелгіңізге қосу үшін кіріп, «Өтінішті қосу» бетінде кодты енгізіңіз: { $code }. Кодты ешкімге бермеңіз.

## Шешім (notice-decision-taken-body ішіндегі $result)
notice-result-recognised = оқу нәтижелері танылды
notice-result-refused = тану туралы бас тартылды
notice-result-none = шешім қабылданбады; өтініш келесі отырысқа қойылады
