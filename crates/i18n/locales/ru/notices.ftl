## Уведомления (электронная почта и входящие). Каждый ключ должен быть и в файлах kk и en (проверяет тест).
## notice-<kind>-subject and notice-<kind>-body, <kind> as in notify::Kind::as_str.

notice-application-received-subject = Ваше заявление { $number } принято
notice-application-received-body = Ваше заявление { $number } в { $org } принято. Секретарь проверит комплектность документов (пункт 11 Правил).
notice-application-submitted-subject = Новое заявление { $number }
notice-application-submitted-body = { $candidate } подал(а) заявление { $number }. Проверьте комплектность документов (пункт 11).
notice-application-incomplete-subject = Заявление { $number } неполное
notice-application-incomplete-body = Документы неполные или нечитаемые (пункт 11): { $missing }. { $reason } Исправьте и отправьте заявление снова.
notice-application-complete-subject = Заявление { $number } комплектно
notice-application-complete-body = Ваши документы комплектны (пункт 11). Заявление будет рассмотрено на заседании комиссии; о дате мы сообщим.
notice-meeting-scheduled-subject = Заседание комиссии: { $when }
notice-meeting-scheduled-body = Заседание «{ $commission }» состоится { $when }, место: { $place }. В повестке: { $agenda }. Файл календаря приложен.
notice-meeting-cancelled-subject = Заседание отменено: { $when }
notice-meeting-cancelled-body = Заседание «{ $commission }», назначенное на { $when }, отменено: { $reason }. В его повестке: { $agenda }. Заявления возвращаются в очередь и будут рассмотрены на другом заседании.
notice-meeting-moved-subject = Заседание перенесено на { $when }
notice-meeting-moved-body = Заседание «{ $commission }», назначенное на { $was }, перенесено: оно состоится { $when }, место: { $place }. В повестке: { $agenda }. Новый файл календаря приложен.
notice-decision-taken-subject = Решение по заявлению { $number }
notice-decision-taken-body = Комиссия приняла решение по вашему заявлению { $number }: { $result }. Решение оформляется протоколом (пункт 9); когда он станет окончательным, вы сможете скачать выписку.
notice-protocol-final-subject = Протокол № { $protocol } окончательный
notice-protocol-final-body = Протокол № { $protocol } заседания «{ $commission }» утверждён и окончательный. Его можно скачать и проверить в Tanu.
notice-verify-email-subject = Tanu: подтвердите адрес электронной почты
notice-verify-email-body = Для вас создана учётная запись в Tanu. Чтобы подтвердить, что этот адрес ваш, откройте ссылку ниже (действует 48 часов). Если вы не регистрировались, не обращайте внимания на это письмо.
notice-account-exists-subject = Tanu: у вас уже есть учётная запись
notice-account-exists-body = Кто-то попытался снова зарегистрироваться в Tanu с этим адресом. У вас уже есть учётная запись: войдите, а если забыли пароль, запросите новый на странице ниже. Если это были не вы, не обращайте внимания на письмо.
notice-password-reset-subject = Tanu: восстановление пароля
notice-password-reset-body = Чтобы задать новый пароль, откройте ссылку ниже (действует один час, один раз). Все сеансы и API-токены будут закрыты. Если вы не запрашивали, не обращайте внимания на письмо.
notice-staff-invitation-subject = Tanu: { $org } приглашает вас в сотрудники
notice-staff-invitation-body = { $org } добавила вас в сотрудники в Tanu. Чтобы принять приглашение, откройте ссылку ниже (действует 14 дней). Пока вы не приняли его, должность не даёт никаких прав.
notice-walk-in-claim-subject = Tanu: код вашего заявления { $number }
notice-walk-in-claim-body = { $org } зарегистрировала заявление { $number } от вашего имени. Чтобы привязать его к своей учётной записи Tanu, войдите и введите на странице «Привязать заявление» код: { $code }. Никому не сообщайте код.

## Решение ($result в notice-decision-taken-body)
notice-result-recognised = результаты обучения признаны
notice-result-refused = в признании отказано
notice-result-none = решение не принято; заявление будет рассмотрено на следующем заседании
