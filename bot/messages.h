/*
 * messages.h — every sentence tend says, in one place.
 *
 * Voice (PRODUCT.md's principles): a fellow member talking. Short, warm, plain. Never scold, never
 * rank, never name who did *not* do something; rest is normal; private things stay private.
 * Commands are written TEND_CMD "name" so each platform shows its own prefix.
 * Each command family keeps its sentences in its own section below, named MSG_<FAMILY>_<WHAT>.
 */
#ifndef TEND_MESSAGES_H
#define TEND_MESSAGES_H

#include "bot/reply.h"

/* ---------------------------------------------------------------- router */
#define MSG_UNKNOWN_COMMAND "I don't know " TEND_CMD "%s. " TEND_CMD "help lists what I can do."
#define MSG_UNKNOWN_COMMAND_NEAR "I don't know " TEND_CMD "%s. Did you mean " TEND_CMD "%s? (" TEND_CMD "help %s shows how it goes.)"
#define MSG_UNKNOWN_SECOND_WORD TEND_CMD "%s goes with one of: %s. " TEND_CMD "help %s shows each."
#define MSG_EMPTY_COMMAND "I'm here. " TEND_CMD "help lists what I can do."
#define MSG_CANNOT_READ "I couldn't read that: %s. " TEND_CMD "help lists what I can do."
#define MSG_USAGE "Usage: %s"
#define MSG_COORDINATORS_ONLY "Only the group's coordinators can use " TEND_CMD "%s."
#define MSG_STORE_FAILED "Something went wrong on my side, so nothing was changed. Please try again in a moment."
#define MSG_STORE_FULL "I couldn't save that because the server's disk is full, so nothing was changed. Your coordinator has been told in the log."
#define MSG_STORE_READONLY "I can't save anything right now (the database is read-only), so nothing was changed. Your coordinator has been told in the log."
#define MSG_SLOW_DOWN "That's a lot of commands in a minute; give me a moment and try again."
#define MSG_SLOW_DOWN_GROUP "Lots of us are asking me things right now; give me a minute and try again."
#define MSG_MEMBER_NOT_FOUND "I don't know anyone called %s here yet."
/* A member's first command in a shared room: once, privately, after the answer. */
#define MSG_WELCOME_FIRST                                                                          \
    "Welcome! I'm tend: I help this group share the work, rest without guilt and thank each other. " \
    "The basics: " TEND_CMD "tasks shows what needs doing, " TEND_CMD "claim 12 takes task 12, " \
    TEND_CMD "done 12 celebrates it, and " TEND_CMD "stepback is there whenever you need a break. "  \
    "Your check-ins, load and rest stay between you and me. " TEND_CMD "help lists the rest."
#define MSG_MEMBER_NOT_FOUND_AFTER_TASK \
    "I don't know anyone called %s here yet. Name them after the task, like " TEND_CMD "handoff Soup run Ana, or mention them."

/* ---------------------------------------------------------------- privacy */
/* A private-only command typed where others read along: nothing was recorded; said in private. */
#define MSG_PRIVATE_ONLY_MATRIX                                                                    \
    "That one is just between you and me, so I didn't record it from the group room. Send it "    \
    "here instead: only you and I read this chat."
#define MSG_PRIVATE_ONLY_DISCORD                                                                   \
    "That one is just between you and me, so I didn't record it from the channel. Use it as a "   \
    "slash command instead: only you will see it."
#define MSG_PRIVATE_ONLY_CONSOLE                                                                   \
    "That one is just between you and me, so I didn't record it in the group room. Type :dm to "  \
    "talk to me privately, then send it again."
#define MSG_PRIVATE_ONLY_SIGNAL                                                                    \
    "That one stays between us, so I didn't record anything from the group chat. Send "           \
    TEND_CMD "%s to me in our private chat instead."
#define MSG_PRIVATE_ONLY_ELSEWHERE                                                                 \
    "That one is just between you and me, so I didn't record it where others can read it. Send "  \
    "it to me in a private chat instead."

/* ---------------------------------------------------------------- tasks */
/* task lines: "#12 Soup run (1 of 2 people, fri 18:00)" */
#define MSG_TASKS_LINE "#%d %s (%s)"
/* A name ending in _N is a counted sentence: singular, plural (tend_ntr picks by the number). */
#define MSG_TASKS_HANDS_N "%d of %d person", "%d of %d people"
#define MSG_TASKS_WAITING ", %d waiting"
#define MSG_TASKS_TIME_PASSED ", time passed"
#define MSG_TASKS_STATE_DONE "done"
#define MSG_TASKS_STATE_CANCELLED "cancelled"
/* the board */
#define MSG_TASKS_BOARD_OPEN "Open tasks"
#define MSG_TASKS_BOARD_MINE "Your tasks"
#define MSG_TASKS_BOARD_ALL "All tasks, newest first"
#define MSG_TASKS_BOARD_HEAD "%s:"
#define MSG_TASKS_BOARD_HEAD_PAGE "%s, page %d of %d (%d in all):"
#define MSG_TASKS_BOARD_YOU_WAIT " (you're number %d on the waitlist)"
#define MSG_TASKS_BOARD_EMPTY \
    "Nothing on the board right now. Know something that needs doing? " TEND_CMD "task add <title> puts it up."
#define MSG_TASKS_BOARD_MINE_EMPTY \
    "You're not holding any tasks right now. " TEND_CMD "tasks shows what's open."
#define MSG_TASKS_BAD_FILTER "The board comes as open, mine or all, with page:2 and on for long ones."
#define MSG_TASKS_BAD_PAGE "page: takes a page number, like page:2."
#define MSG_TASKS_BOARD_MORE "\n%d more: " TEND_CMD "tasks %s page:%d"
#define MSG_TASKS_BOARD_LAST "\nThat's the last page."
#define MSG_TASKS_NO_PAGE_ONE "There's no page %d: it all fits on one page, " TEND_CMD "tasks %s."
#define MSG_TASKS_NO_PAGE "There's no page %d: the board has %d pages. " TEND_CMD "tasks %s page:%d is the last."
/* finding a task */
#define MSG_TASKS_WHICH "Which task? Its number is enough, like 12."
#define MSG_TASKS_NOT_FOUND "I can't find a task \"%s\" here. " TEND_CMD "tasks shows the board."
#define MSG_TASKS_AMBIGUOUS "A few open tasks match \"%s\": %s. Which one? Its number is enough."
#define MSG_TASKS_SEPARATOR_HINT \
    "I can't find a task \"%s\". If you meant #%d, anything after it goes after %s:, like " \
    TEND_CMD "%s %d %s:%s"
/* task add */
#define MSG_TASKS_NO_TITLE "What's the task? Give it a short title."
#define MSG_TASKS_TITLE_TOO_LONG "That title is %zu characters; please keep it to 200 or fewer."
#define MSG_TASKS_WHEN_TOO_LONG "Please keep when: short, like when:\"fri 18:00\"."
#define MSG_TASKS_WHEN_EXAMPLES "I understand a day (today, tomorrow, fri, 3 dec, 2026-12-02) and a time (18:00, 6pm, 6:30pm, noon), like when:\"fri 18:00\"."
#define MSG_TASKS_WHEN_UNKNOWN "I couldn't read when:\"%s\" as a time. " MSG_TASKS_WHEN_EXAMPLES
#define MSG_TASKS_WHEN_NO_DAY "when:\"%s\" names a day that doesn't exist. " MSG_TASKS_WHEN_EXAMPLES
#define MSG_TASKS_WHEN_CONFLICT "when:\"%s\" names two different days or times; which one did you mean?"
#define MSG_TASKS_WHEN_PAST "when:\"%s\" is already behind us; a time ahead, please."
#define MSG_TASKS_WHEN_FAR "when:\"%s\" is more than a year away; I keep tasks within a year."
#define MSG_TASKS_WHEN_READ "I read when:\"%s\" as %s."
#define MSG_TASKS_TASK_NOTE_TOO_LONG "That note is %zu characters; please keep a task's note to %d or fewer."
#define MSG_TASKS_NOTE_LINE "\n%s"
#define MSG_TASKS_BAD_SLOTS "slots: takes a number from 1 to 20."
#define MSG_TASKS_BAD_WEIGHT "weight: takes a number from 1 to 5."
#define MSG_TASKS_BAD_REPEAT "repeat: can be weekly, biweekly, monthly or every:3d (a number of days, up to 365), or off."
#define MSG_TASKS_PAUSED_UNTIL \
    "New tasks are paused until %s while the group rests a little. A coordinator can " \
    TEND_CMD "resume-new sooner."
#define MSG_TASKS_PAUSED \
    "New tasks are paused for now while the group rests a little. A coordinator can " \
    TEND_CMD "resume-new when it's time."
#define MSG_TASKS_ANNOUNCE "New task: %s. " TEND_CMD "claim %d to take it."
#define MSG_TASKS_CLAIM_BUTTON "Claim"
/* claim */
#define MSG_TASKS_IS_DONE "#%d is already done."
#define MSG_TASKS_IS_CANCELLED "#%d was cancelled, so there's nothing to do there."
#define MSG_TASKS_ALREADY_YOURS "You already have #%d."
#define MSG_TASKS_ALREADY_WAITING "You're already on the waitlist for #%d: number %d."
#define MSG_TASKS_TOO_MANY_OPEN \
    "The board already holds %d open tasks, which is as many as I keep. Once a few are done there's room again."
#define MSG_TASKS_WAITLIST_FULL \
    "#%d already has a long waitlist, so I can't add you to it. Another open task might be a good fit: " TEND_CMD "tasks shows them."
#define MSG_TASKS_WAITLISTED \
    "#%d has all the people it needs right now, so you're on its waitlist: number %d. " \
    "I'll tell you if a spot opens."
#define MSG_TASKS_OVER_CAPACITY \
    "Taking #%d would put you at %d of your %d this week. You decide: if you'd like it " \
    "anyway, tap below or type " TEND_CMD "claim %d confirm."
#define MSG_TASKS_CLAIM_ANYWAY "Claim it anyway"
#define MSG_TASKS_CLAIMED \
    "%s is yours. Thank you! If plans change, " TEND_CMD "unclaim %d is always fine."
/* unclaim and the waitlist */
#define MSG_TASKS_NOT_HELD "You don't have #%d right now, so there's nothing to give back."
#define MSG_TASKS_CLAIM_LINE "\n- %s"
#define MSG_TASKS_KEPT "Thanks for letting me know. #%d stays with you, no rush."
#define MSG_TASKS_UNCLAIMED "Got it, #%d is back on the board. Thanks for saying so."
#define MSG_TASKS_UNCLAIMED_PROMOTED \
    "Got it, #%d is off your list, and the next person on its waitlist has it now. Thanks for saying so."
#define MSG_TASKS_LEFT_WAITLIST "You're off the waitlist for #%d."
#define MSG_TASKS_UNCLAIMED_RETIRED "Got it. #%d's time has passed and its next one is already on the board, so I've taken it off. Thanks for saying so."
#define MSG_TASKS_PROMOTED \
    "A spot opened up: %s is yours now. If it no longer suits you, " TEND_CMD "unclaim %d is fine."
/* handoff */
#define MSG_TASKS_HANDOFF_WHO "Who should I offer it to? Name a member after the task."
#define MSG_TASKS_HANDOFF_SELF "That's you! To give it back instead, " TEND_CMD "unclaim %d."
#define MSG_TASKS_HANDOFF_NOT_HELD "You'd need to hold #%d to hand it over; " TEND_CMD "claim %d takes it."
#define MSG_TASKS_HANDOFF_HAS_IT "%s already has #%d."
#define MSG_TASKS_HANDOFF_RESTING "%s is taking a break right now; maybe someone else could take #%d?"
#define MSG_TASKS_HANDOFF_OFFER "%s would like to hand you %s. Would you take it?"
#define MSG_TASKS_HANDOFF_OFFERED \
    "I've offered #%d to %s. It moves to them when they accept; until then it's still yours."
#define MSG_TASKS_HANDOFF_ACCEPT "Accept"
#define MSG_TASKS_HANDOFF_DECLINE "Decline"
#define MSG_TASKS_HANDOFF_NONE "There's no handoff of #%d waiting for you."
#define MSG_TASKS_HANDOFF_STALE "#%d isn't %s's to hand over any more, so there's nothing to accept."
#define MSG_TASKS_HANDOFF_TAKEN "#%d is yours now. Thank you for taking it on!"
#define MSG_TASKS_HANDOFF_TAKEN_DM "%s took #%d. Thank you for passing it on with care."
#define MSG_TASKS_HANDOFF_DECLINED "No problem, I've let %s know."
#define MSG_TASKS_HANDOFF_DECLINED_DM \
    "%s can't take #%d right now, so it's still yours. " TEND_CMD "unclaim %d puts it back on the board if you need to."
/* done */
#define MSG_TASKS_NOTE_TOO_LONG "That note is %zu characters; please keep it to 500 or fewer."
#define MSG_TASKS_ALREADY_DONE "#%d is already marked done. Thank you all the same!"
#define MSG_TASKS_DONE_PUBLIC "\xF0\x9F\x8E\x89 #%d %s is done! Thank you, "
#define MSG_TASKS_DONE_AND " and "
#define MSG_TASKS_DONE_COMMA ", "
#define MSG_TASKS_DONE_END "."
#define MSG_TASKS_DONE_NOTE "\n\"%s\""
#define MSG_TASKS_DONE_REPEAT "\nIt comes back on the board for next time."
/* edit and cancel */
#define MSG_TASKS_NOT_YOURS "Only whoever posted #%d, or a coordinator, can change it."
#define MSG_TASKS_EDIT_WHAT "What should change? Say it with title:, when:, slots:, weight:, repeat: or note:."
#define MSG_TASKS_EDIT_SLOTS_BELOW \
    "%d people are on #%d, so it needs at least %d slots. One of them can " TEND_CMD "unclaim first."
#define MSG_TASKS_EDITED_PUBLIC "Updated: %s"
#define MSG_TASKS_EDITED_DM "%s changed a task you're on. It now reads: %s"
#define MSG_TASKS_CANCEL_REPEAT "To call off the whole series, add repeat:off; without it, only this one is off."
#define MSG_TASKS_CANCELLED_PUBLIC "#%d %s is called off."
#define MSG_TASKS_CANCELLED_NEXT " The next one goes up as usual."
#define MSG_TASKS_CANCELLED_DM \
    "%s called off a task you were on: %s. Nothing more to do there. Thank you for offering to help."
#define MSG_TASKS_CANCELLED_NOTE "\nTheir note: \"%s\""
#define MSG_TASKS_CANCELLED "Done: #%d is off the board, and everyone on it has been told."
#define MSG_TASKS_CANCELLED_REPEATS \
    "Done: #%d is off the board and everyone on it has been told. Its next one still goes up; to end the series, call that one off too with repeat:off."

/* ---------------------------------------------------------------- checkin */
#define MSG_CHECKIN_PROMPT "How are you doing this week? Only I see your answer."
#define MSG_CHECKIN_BUTTON_GREAT "Great"
#define MSG_CHECKIN_BUTTON_OK "OK"
#define MSG_CHECKIN_BUTTON_LOW "Low"
#define MSG_CHECKIN_BUTTON_OUT "Out"
#define MSG_CHECKIN_BAD_ENERGY "I understand great, ok, low or out."
#define MSG_CHECKIN_NOTE_TOO_LONG "That note is a bit long for me: up to 500 characters, please."
#define MSG_CHECKIN_GREAT "Glad to hear it. Thanks for checking in."
#define MSG_CHECKIN_OK "Thanks for checking in."
#define MSG_CHECKIN_LOW                                                                            \
    "Thanks for telling me. Low weeks happen to all of us. If a break would help, "               \
    TEND_CMD "stepback gives your tasks back to the group, no questions asked."
#define MSG_CHECKIN_OUT                                                                            \
    "Thanks for telling me. Running out of energy happens, and that's okay. " TEND_CMD "stepback gives your tasks " \
    "back to the group and I'll stay quiet until you're back."
#define MSG_CHECKIN_HOLDING "\nWhat you're holding right now (" TEND_CMD "unclaim <task> gives one back, no questions asked):"
#define MSG_CHECKIN_BUTTON_STEPBACK "Step back for a week"

/* ---------------------------------------------------------------- rest */
#define MSG_REST_BAD_FOR "I read a rest as 3 days, a week, 2w (up to a year) or a date like 2026-12-24."
#define MSG_REST_DATE_PAST "That day is already behind us; pick one ahead."
#define MSG_REST_DATE_FAR "That's more than a year away; pick a day within a year."
#define MSG_REST_NOTE_TOO_LONG "That note is a bit long for me: up to 500 characters, please."
#define MSG_REST_STARTED "Rest well. You're off until %s, and I'll keep quiet toward you until then."
#define MSG_REST_EXTENDED "Rest well. Your break now runs until %s."
#define MSG_REST_RELEASED_NONE " You had nothing to give back."
#define MSG_REST_RELEASED_ONE " Your task went back to the group."
#define MSG_REST_RELEASED_MANY " Your %d tasks went back to the group."
#define MSG_REST_BACK_HINT " " TEND_CMD "back ends it early whenever you like."
#define MSG_REST_WELCOME_BACK                                                                      \
    "Welcome back, good to have you. " TEND_CMD "tasks shows what needs help, whenever you're ready."
#define MSG_REST_NOT_RESTING "You're not on a break right now, so there's nothing to end. Good to see you."
/* A welcome back may be shared in the week's digest, only when the member says yes. */
#define MSG_REST_ASK_HELLO "\nIf you'd like the group to welcome you back in this week's digest, tap below; otherwise nobody hears a thing."
#define MSG_REST_BUTTON_HELLO "Welcome me in the digest"
#define MSG_REST_HELLO_SET "Lovely: this week's digest will welcome you back."
#define MSG_REST_HELLO_NONE "I don't see a break of yours that ended this week, so there's nothing to share."
#define MSG_REST_BACK_WORDS TEND_CMD "back ends your break; " TEND_CMD "back hello asks the digest to welcome you back."

/* ---------------------------------------------------------------- thanks */
#define MSG_THANKS_WHO "Who would you like to thank?"
#define MSG_THANKS_SELF "Being kind to yourself counts too, but " TEND_CMD "thanks goes to someone else in the group."
#define MSG_THANKS_LIMIT                                                                           \
    "That's %d thanks in the last day already, the most I pass on, so each one keeps meaning "     \
    "something. More tomorrow!"
#define MSG_THANKS_REASON_TOO_LONG "That's a lovely long thank you, but I can pass on up to 500 characters."
#define MSG_THANKS_GIVEN "\xF0\x9F\x92\x9B %s thanks "   /* then the mention */
#define MSG_THANKS_FOR " for %s"
#define MSG_THANKS_END "!"

/* ---------------------------------------------------------------- people (me, capacity, profile, nudges) */
#define MSG_PEOPLE_ME_TITLE "Here's how things look for you:"
#define MSG_PEOPLE_ME_HOLDING "\nHolding:"
#define MSG_PEOPLE_ME_WAITING "\nOn the waitlist for:"
#define MSG_PEOPLE_ME_NOTHING_HELD "\nYou're not holding any tasks."
#define MSG_PEOPLE_ME_LOAD "\nThis week: %d of your %d (%d in what you hold, %d finished in the last 7 days)."
#define MSG_PEOPLE_ME_RESTING "\nYou're resting until %s. " TEND_CMD "back whenever you like."
#define MSG_PEOPLE_ME_NUDGES_ON "\nNudges: on (" TEND_CMD "nudges off to stop them)."
#define MSG_PEOPLE_ME_NUDGES_OFF "\nNudges: off."
#define MSG_PEOPLE_ME_CHECKIN "\nYour last check-in: %s."
#define MSG_PEOPLE_CAPACITY_BAD "Capacity is a whole number from 1 to 20."
#define MSG_PEOPLE_CAPACITY_SET                                                                    \
    "Got it: your capacity is %d a week. Change it whenever life changes."
#define MSG_PEOPLE_PROFILE_HOW "Set it with name:, pronouns:, quiet:HH:MM-HH:MM (or quiet:off), tz:Area/City and remind:2h (or remind:off)."
#define MSG_PEOPLE_PROFILE_REMIND_BAD "Reminders before a task look like remind:2h, remind:30m or remind:1d (5 minutes to a week), or remind:off."
#define MSG_PEOPLE_PROFILE_REMIND_OFF "off"
#define MSG_PEOPLE_PROFILE_REMIND_BEFORE "%s before a task you hold%s"
#define MSG_PEOPLE_PROFILE_REMIND_DAYS_N "%d day", "%d days"
#define MSG_PEOPLE_PROFILE_REMIND_HOURS_N "%d hour", "%d hours"
#define MSG_PEOPLE_PROFILE_REMIND_MINUTES_N "%d minute", "%d minutes"
#define MSG_PEOPLE_PROFILE_REMIND_DEFAULT " (the default)"
#define MSG_PEOPLE_PROFILE_NAME_LEN "A name is 1 to 60 characters others can see."
#define MSG_PEOPLE_PROFILE_NAME_TAKEN "Someone here already goes by %s, or a name that looks just like it; pick another?"
#define MSG_PEOPLE_PROFILE_PRONOUNS_LEN "Pronouns are up to 30 characters."
#define MSG_PEOPLE_PROFILE_QUIET_BAD "Quiet hours look like quiet:22:00-07:00, or quiet:off."
#define MSG_PEOPLE_PROFILE_TZ_BAD "I don't know the time zone %s; try one like Europe/Berlin or America/Chicago."
#define MSG_PEOPLE_PROFILE_SAVED "Saved. "
#define MSG_PEOPLE_PROFILE_SHOW "Your profile: %s%s. Quiet hours: %s. Time zone: %s. Reminders: %s."
#define MSG_PEOPLE_PROFILE_PRONOUNS " (%s)"
#define MSG_PEOPLE_PROFILE_NO_QUIET "none"
#define MSG_PEOPLE_PROFILE_GROUP_TZ "the group's (%s)"
#define MSG_PEOPLE_NUDGES_BAD "Say on or off (or later, to pass on this one)."
#define MSG_PEOPLE_NUDGES_NO_THANKS "No problem, I'll leave it there. You know your week best."
#define MSG_PEOPLE_NUDGES_ON                                                                       \
    "Okay, I may nudge you now and then, at most once a week. " TEND_CMD "nudges off stops them any time."
#define MSG_PEOPLE_NUDGES_OFF "Okay, no nudges from me. " TEND_CMD "nudges on if you ever want them back."

/* ---------------------------------------------------------------- process (feedback, agreements, export, forgetme, help) */
#define MSG_PROCESS_FEEDBACK_THANKS "Thank you. Your suggestion is in the box with no name on it. Suggestions are shared at the monthly process check-in once there are at least three, so no one can be singled out."
#define MSG_PROCESS_FEEDBACK_EMPTY "What would you like to suggest? Write it after the command; no name is kept with it."
#define MSG_PROCESS_TEXT_TOO_LONG "That's a little long: please keep it to %d characters (this one has %zu)."
#define MSG_PROCESS_AGREEMENTS_NONE "We haven't written down any agreements yet. Coordinators can record one with " TEND_CMD "agreements add."
#define MSG_PROCESS_AGREEMENTS_HEAD "Our agreements:"
#define MSG_PROCESS_AGREEMENTS_LINE "\n%d. %s"
#define MSG_PROCESS_AGREEMENTS_AMENDED " (amended)"
#define MSG_PROCESS_AGREEMENTS_WORDS "To read our agreements, type " TEND_CMD "agreements on its own."
#define MSG_PROCESS_AGREEMENT_EMPTY "What does the agreement say? Write it after the command."
#define MSG_PROCESS_AGREEMENT_NUMBER "Which agreement? Start with its number, like " TEND_CMD "agreements amend 2 <new wording>."
#define MSG_PROCESS_AGREEMENT_NOT_FOUND "There's no agreement %d yet; " TEND_CMD "agreements lists them."
#define MSG_PROCESS_AGREEMENT_RECORDED "Agreement %d is on record: %s"
#define MSG_PROCESS_AGREEMENT_AMENDED "Agreement %d now reads: %s (the earlier wording is kept on record)"
#define MSG_PROCESS_EXPORT_EXTRA "The export is just " TEND_CMD "export; " TEND_CMD "export group is for coordinators."
#define MSG_PROCESS_FORGETME_EXPLAIN "This erases you from this group's records: your claims go back to the board, your check-ins, rests and notes are deleted, and where others' records need you (thanks, tasks you posted) you'll show as \"a former member\". It can't be undone. You can keep a copy first with " TEND_CMD "export. When you're sure, type " TEND_CMD "forgetme confirm."
#define MSG_PROCESS_FORGETME_WORD "To erase your data, type " TEND_CMD "forgetme confirm."
#define MSG_PROCESS_FORGETME_DONE "Done: you're erased from this group's records. Take care, and you're always welcome back."
#define MSG_PROCESS_HELP_HEAD "Here's what I can do:"
#define MSG_PROCESS_HELP_LINE "\n" TEND_CMD "%s — %s"
#define MSG_PROCESS_HELP_COORDINATORS "\n\nFor coordinators:"
#define MSG_HELP_MORE "\n\n" TEND_CMD "help <command> shows how one goes, with an example."
#define MSG_HELP_ONE "%s\n%s."
#define MSG_HELP_EXAMPLE "\nFor example: %s"
#define MSG_HELP_COORDINATORS_ONLY "\n(For coordinators.)"
#define MSG_HELP_FAMILY "The " TEND_CMD "%s commands:"
#define MSG_HELP_USAGE_LINE "\n%s\n%s."
#define MSG_HELP_UNKNOWN "I don't know " TEND_CMD "%s. " TEND_CMD "help lists what I can do."
#define MSG_HELP_UNKNOWN_NEAR "I don't know " TEND_CMD "%s. Did you mean " TEND_CMD "%s? Try " TEND_CMD "help %s."
#define MSG_HELP_ONE_COMMAND "Name one command, like " TEND_CMD "help claim."

/* ---------------------------------------------------------------- files: exports and calendars */
#define MSG_EXPORT_READY "Here's everything I keep about you in this group, as a file: %s."
#define MSG_EXPORT_GROUP_READY "Here's the group's data as a file: %s. What's private to each member stays out of it."
#define MSG_CALENDAR_READY_ONE "Here's a calendar file with the one task that has a time: %s. Your calendar app can import it."
#define MSG_CALENDAR_READY "Here's a calendar file with the %zu tasks that have a time: %s. Your calendar app can import it."
#define MSG_CALENDAR_NONE "None of the open tasks has a time yet, so there's nothing to put in a calendar."
#define MSG_CALENDAR_NONE_MINE "None of the tasks you hold has a time, so there's nothing to put in a calendar."
#define MSG_CALENDAR_WORDS "For the group's tasks that have a time, type " TEND_CMD "tasks ics; for just yours, " TEND_CMD "tasks ics mine."
/* After the text of a message whose file the platform would not take (%zu: its size in MB; %s: the platform). */
#define MSG_FILE_TOO_BIG "\n(The file is %zu MB, more than %s takes, so it couldn't come along.)"
/* Inside the calendar file, under each task's title (no command markers: a file is not rendered). */
#define MSG_CALENDAR_EVENT_TASK "Task %d on the group's board."

/* ---------------------------------------------------------------- team and setup (coordinators) */
#define MSG_SETUP_SETTINGS "Channel: %s\nTime zone: %s\nCheck-in prompt: %s\nWeekly digest: %s\nDefault capacity: %d\nNew tasks: %s"
#define MSG_SETUP_CURRENT "This group's settings:\n"
#define MSG_SETUP_SAVED "Saved. This group's settings now:\n"
#define MSG_SETUP_CHANNEL_UNSET "where commands are typed"
#define MSG_SETUP_NEW_WELCOME "welcome"
#define MSG_SETUP_NEW_PAUSED "paused until " TEND_CMD "resume-new"
#define MSG_SETUP_NEW_PAUSED_UNTIL "paused until %s"
#define MSG_SETUP_BAD_CHANNEL "channel:%s isn't a channel I can use; I need its name or reference (up to 150 characters)."
#define MSG_SETUP_BAD_TIMEZONE "timezone:%s isn't a time zone I know; I need an IANA name like Europe/Berlin or America/New_York."
#define MSG_SETUP_BAD_CHECKIN "checkin:%s isn't a time I can use; I need a day and a time, like checkin:\"mon 18:00\"."
#define MSG_SETUP_BAD_DIGEST "digest:%s isn't a time I can use; I need a day and a time, like digest:\"sun 19:00\"."
#define MSG_SETUP_BAD_CAPACITY "capacity:%s isn't a capacity I can use; I need a whole number from 1 to 20."
#define MSG_SETUP_STRAY_WORD "I didn't follow \"%s\"; settings are written like timezone:Europe/Berlin."
#define MSG_TEAM_PAUSED "Let's rest a little: no new tasks for now. Everything already on the board still stands, and " TEND_CMD "resume-new opens it up again."
#define MSG_TEAM_PAUSED_UNTIL "Let's rest a little: no new tasks until %s. Everything already on the board still stands."
#define MSG_TEAM_BAD_DURATION "%s isn't a length of time I know; try 3 days, a week or 2w (or nothing, to pause until " TEND_CMD "resume-new)."
#define MSG_TEAM_RESUMED "New tasks are welcome again. Thanks, everyone, for resting together."
#define MSG_TEAM_NOT_PAUSED "New tasks aren't paused right now, so there's nothing to resume."
#define MSG_TEAM_HEALTH "How the group is doing:\nMembers: %d active, %d resting.\nOpen tasks that still need people: %d."
#define MSG_TEAM_SHARE "\nThe busiest fifth of members did %d%% of the last 30 days' work."
#define MSG_TEAM_SHARE_NONE "\nNo tasks were marked done in the last 30 days."
#define MSG_TEAM_HEALTH_FEW_RESTING "How the group is doing:\nMembers: %d (how many are resting shows once it's %d or more, so it never points at anyone).\nOpen tasks that still need people: %d."
#define MSG_TEAM_SHARE_FEW "\nHow the work is shared shows once the group has %d members, so it never points at anyone."
#define MSG_TEAM_SHARE_HIGH "\nThat's a lot of work for a few people. Inviting others to open tasks, or pairing someone new with someone who knows the task, can spread it out."

/* ---------------------------------------------------------------- scheduler */
/* The weekly check-in prompt, in the group's channel; answers are private. */
/* %s: the four answers in the reader's words, MSG_WORDS_ENERGY_LIST ("great, ok, low or out"). */
#define MSG_SCHED_CHECKIN_PROMPT "Weekly check-in 🌱 How are you doing this week? Tap one (or type " TEND_CMD "checkin %s). Only I see your answer, and every answer is a fine one."
/* Where a tap on the group's post would be seen by all: the prompt points to each private chat. */
#define MSG_SCHED_CHECKIN_PROMPT_PRIVATE "Weekly check-in 🌱 How is everyone doing this week? I've sent each of you a private check-in, so only I see your answer. If yours didn't come, send me " TEND_CMD "checkin in our private chat whenever you like."
/* The private check-in itself, with one-tap answers. */
/* %s: the four answers in the reader's words, MSG_WORDS_ENERGY_LIST ("great, ok, low or out"). */
#define MSG_SCHED_CHECKIN_ASK "How are you doing this week? Tap one, or type " TEND_CMD "checkin %s. Only I see your answer, and every answer is a fine one."
#define MSG_SCHED_BTN_GREAT "Great"
#define MSG_SCHED_BTN_OK "OK"
#define MSG_SCHED_BTN_LOW "Low"
#define MSG_SCHED_BTN_OUT "Out"
#define MSG_SCHED_NEEDS_HANDS "\nThese still need people:"
#define MSG_SCHED_TASK_LINE "\n• %s"
#define MSG_SCHED_MORE_TASKS "\n" TEND_CMD "tasks open shows them all."
/* The weekly digest. */
#define MSG_SCHED_DIGEST_TITLE "Our week 🌿"
#define MSG_SCHED_DIGEST_DONE "\nDone, thank you all:"
#define MSG_SCHED_DIGEST_DONE_LINE "\n✅ #%d %s"
#define MSG_SCHED_DIGEST_THANKS "\nThanks shared:"
#define MSG_SCHED_DIGEST_THANKS_LINE "\n💛 %s to %s"
#define MSG_SCHED_DIGEST_THANKS_FOR " for %s"
#define MSG_SCHED_DIGEST_WELCOMES "\nWelcome back, %s! 🌱"
#define MSG_SCHED_DIGEST_QUIET "\nA quiet week, and that's fine: rest is part of the work. 💛"
#define MSG_SCHED_DIGEST_SHARE "\nA few of us did most of this month's work. If you have a little time, an open task is a good place to start, or pair up with someone to learn one together."
/* A private nudge when someone does more than their own capacity: an offer, never a push. */
#define MSG_SCHED_NUDGE "Hey, you're doing a lot this week: a load of %d, and your capacity is %d. Want to take a week off, or give a task to someone with " TEND_CMD "handoff? Keeping it all is fine too; you decide."
#define MSG_SCHED_BTN_WEEK_OFF "Take a week off"
#define MSG_SCHED_BTN_NO_THANKS "No thanks"
/* A claim nobody touched for a while. */
#define MSG_SCHED_STALE "Still on #%d %s? No rush. If it no longer fits your week, unclaiming is completely fine."
#define MSG_SCHED_BTN_STILL_ON_IT "Still on it"
/* Before a timed task, to each claimer; after it, "did it happen?". */
#define MSG_SCHED_REMIND "A reminder: %s is %s. Thanks for taking it on! If something came up, unclaiming is completely fine."
#define MSG_SCHED_FOLLOWUP "Did #%d %s happen? If it's done, tap Done and I'll celebrate it with the group. If it didn't work out, Unclaim puts it back, no questions asked."
#define MSG_SCHED_BTN_DONE "Done"
#define MSG_SCHED_BTN_UNCLAIM "Unclaim"
/* A rest ended. */
#define MSG_SCHED_WELCOME "Welcome back 🌱 Good to have you. Whenever you're ready, " TEND_CMD "tasks open shows what needs help."
/* The monthly process check-in. */
#define MSG_SCHED_PROCESS "Monthly check-in on how we work together: what's working, and what could be better? Say it here, or send me " TEND_CMD "feedback privately: no name is kept with it."
#define MSG_SCHED_PROCESS_FEEDBACK "\nAnonymous suggestions from the box:"
#define MSG_SCHED_PROCESS_FEEDBACK_LINE "\n• %s"
/* A repeating task's next one, posted like a new task; one nobody took, moved on to its next date. */
#define MSG_SCHED_REPEAT "The next one is up: %s"
#define MSG_SCHED_ROLLED "Moved on to its next date, still looking for people: %s"
#define MSG_SCHED_BTN_CLAIM "Claim"

/* ---------------------------------------------------------------- discord adapter */
#define MSG_DISCORD_INTRO                                                                          \
    "Hi, I'm tend 🌱 I help this server's group share tasks fairly, rest without guilt and thank "   \
    "each other, with no points or rankings. A coordinator can start with " TEND_CMD "setup "      \
    "(where I post, the time zone); everyone can try " TEND_CMD "tasks, and " TEND_CMD "help shows " \
    "the rest. What you tell me about yourself stays between us."

/* ---------------------------------------------------------------- signal adapter */
/* Before the emoji that answer a message in a 1:1 chat: a reaction is a tap. */
#define MSG_SIGNAL_REACT_TO_ANSWER "React to answer: "
/* A command in a 1:1 chat from a member of several of tend's groups: which one is it for? */
#define MSG_SIGNAL_WHICH_GROUP                                                                     \
    "You're in more than one group I help (%s). Add the group to your command once, like "         \
    TEND_CMD "%s group:%s, and I'll remember it."
#define MSG_SIGNAL_UNKNOWN_GROUP "I couldn't find the group \"%s\" among yours (%s)."
#define MSG_SIGNAL_NO_GROUP                                                                        \
    "I only help groups I'm in, and I couldn't find you in one. Add me to your Signal group "      \
    "(or ask someone there to), then try again."
/* Something that is no command, typed in the 1:1 chat (said at most once a day). */
#define MSG_SIGNAL_DM_HINT                                                                         \
    "Hi! I'm tend. Type " TEND_CMD "help to see what I can do. What you send me here stays "       \
    "between us."

/* ---------------------------------------------------------------- matrix adapter */
#define MSG_MATRIX_INTRO                                                                           \
    "Hi, I'm tend. I help this group share tasks, check in and rest, with no points or rankings. " \
    "Type " TEND_CMD "help to see what I can do. Anything private (check-ins, rest, suggestions) "  \
    "you send me in a direct chat, where only you and I read it."
#define MSG_MATRIX_ENCRYPTED                                                                       \
    "Hi, I'm tend. This room is encrypted, and I can't read encrypted messages, so I won't see "   \
    "commands typed here. To use me, make a room without encryption for coordination (encryption " \
    "can't be turned off once on) and invite me there."
/* Commands in a member's direct chat with the bot, for a member of several groups (or none). */
#define MSG_MATRIX_DM_WHICH_GROUP                                                                  \
    "You're in more than one group with me: %s. Which one is this for? Send it again with "        \
    "the group's name after it, like group:\"%s\"."
#define MSG_MATRIX_DM_GROUP_UNKNOWN "I don't know a group of yours called %s. Yours: %s."
#define MSG_MATRIX_DM_NO_GROUP                                                                     \
    "I don't see you in a group's room with me yet. Once you've joined your group's room, "       \
    "anything you send me here works for that group."
/* Before a private message to a member of several groups: which group it is about. */
#define MSG_MATRIX_DM_LABEL "(%s) "
/* The reason shown on a private command taken down from a group room. */
#define MSG_MATRIX_TAKEN_DOWN "Moved to a private chat with tend"
/* After tend was away longer than it reads back (1,000 messages or a day): once per such gap. */
#define MSG_MATRIX_GAP                                                                             \
    "I was away for a while and couldn't read back through everything said here, so I may have "   \
    "missed a command. If something you asked me for hasn't happened, please send it again."
/* Linking rooms into one group (!setup link:<room>, !setup unlink), answered by the adapter. */
#define MSG_MATRIX_LINKED                                                                          \
    "Linked. Commands typed here now share the group of %s: the same tasks, members and settings. " \
    "Scheduled posts stay in that room. " TEND_CMD "setup unlink undoes it."
#define MSG_MATRIX_LINKED_THERE                                                                    \
    "Another room (%s) now shares this group: commands typed there act on our tasks here too."
#define MSG_MATRIX_UNLINKED                                                                        \
    "Unlinked. This room is its own group again; the tasks made while linked stay with the other room."
#define MSG_MATRIX_UNLINKED_THERE "The room %s no longer shares this group."
#define MSG_MATRIX_LINK_USAGE                                                                      \
    "To link rooms I need one room id or alias and nothing else: " TEND_CMD "setup link:#room:server, " \
    "or " TEND_CMD "setup unlink."
#define MSG_MATRIX_LINK_NOT_COORDINATOR                                                            \
    "Linking rooms needs coordinator rights (power level 50) in both rooms."
#define MSG_MATRIX_UNLINK_NOT_COORDINATOR                                                          \
    "Unlinking needs coordinator rights (power level 50) in this room or the group's room."
#define MSG_MATRIX_LINK_UNKNOWN "I'm not in %s, so I can't link to it. Invite me there first."
#define MSG_MATRIX_LINK_NO_ALIAS "I couldn't find a room called %s."
#define MSG_MATRIX_LINK_ENCRYPTED                                                                  \
    "%s is encrypted and I can't read or post there; link to a room without encryption."
#define MSG_MATRIX_LINK_SELF "That's this room already, so there's nothing to link."
#define MSG_MATRIX_LINK_TARGET_LINKED                                                              \
    "%s shares another room's group itself; link to %s instead."
#define MSG_MATRIX_LINK_HAS_LINKS                                                                  \
    "Other rooms share this room's group, so it can't join another one. Unlink them first."
#define MSG_MATRIX_LINK_ALREADY                                                                    \
    "This room already shares the group of %s. " TEND_CMD "setup unlink first to link it elsewhere."
#define MSG_MATRIX_UNLINK_NOT_LINKED "This room isn't linked to another room's group."
#define MSG_MATRIX_LINK_FAILED "I couldn't save that, so nothing changed. Please try again in a moment."

/* ---------------------------------------------------------------- telegram adapter */
#define MSG_TELEGRAM_INTRO                                                                         \
    "Hi, I'm tend. I help this group share tasks, check in and rest, with no points or rankings. " \
    "Type " TEND_CMD "help to see what I can do. Anything just for you, I'll send in our own chat."
#define MSG_TELEGRAM_HELLO                                                                         \
    "Hi! Anything just for you from your group comes here, and you can send me commands here too, " \
    "like " TEND_CMD "me or " TEND_CMD "checkin ok. " TEND_CMD "help lists them."
/* In the group, for a member who never opened the private chat: the mention, then this. */
#define MSG_TELEGRAM_OPEN_CHAT ", I have something just for you. Tap %s to open our chat and I'll send it there."
#define MSG_TELEGRAM_PRIVATE_HINT                                                                  \
    "I read commands here, like " TEND_CMD "me or " TEND_CMD "checkin ok. " TEND_CMD "help lists them all."
#define MSG_TELEGRAM_NO_GROUP                                                                      \
    "I don't know which group this is for yet. Type a command in your group's chat first (like "  \
    TEND_CMD "help), and anything you send me here works for that group."
#define MSG_TELEGRAM_WHICH_GROUP                                                                   \
    "You're in more than one group with me: %s. Which one is this for? Send it again with the "   \
    "group's name after it, like group:\"%s\"."
#define MSG_TELEGRAM_GROUP_UNKNOWN "I don't know a group of yours called %s. Yours: %s."
#define MSG_TELEGRAM_ANONYMOUS                                                                     \
    "I can't tell who you are when you post as the group, so I can't run that. Send it as yourself, " \
    "or to me in our private chat."
#define MSG_TELEGRAM_BUTTON_STRANGER "That button belongs to a group I haven't seen you in."

/* ---------------------------------------------------------------- issue 14: the small things */
/* After MSG_CANNOT_READ's "I couldn't read that: " */
#define MSG_NOT_TEXT_REASON "part of it isn't text I can read (a broken character or a NUL byte), so nothing changed"

/* Lengths are counted in characters (limits.h). A text far over its limit (a paste, or a body the
 * platform cut short) is not counted back at the member: the count would mean nothing to them. */
#define MSG_TITLE_TOO_LONG "That title is %zu characters; a title can be up to %d. Could you shorten it?"
#define MSG_TITLE_FAR_TOO_LONG "That's much longer than a title can be: up to %d characters. Could you shorten it?"
#define MSG_TASK_NOTE_TOO_LONG "That note is %zu characters; a task's note can be up to %d."
#define MSG_TASK_NOTE_FAR_TOO_LONG "That's much longer than a task's note can be: up to %d characters, please."
#define MSG_NOTE_TOO_LONG "That note is %zu characters; a note can be up to %d."
#define MSG_NOTE_FAR_TOO_LONG "That's much longer than a note can be: up to %d characters, please."
#define MSG_LONG_TEXT_TOO_LONG "That's %zu characters; I can keep up to %d characters."
#define MSG_LONG_TEXT_FAR_TOO_LONG "That's much longer than I can keep: up to %d characters, please."
#define MSG_NAME_LEN "A name is 1 to %d characters others can see."
#define MSG_PRONOUNS_LEN "Pronouns are up to %d characters."

/* Matrix: a command edited after it was sent (said once per command, as a reply to it). */
#define MSG_MATRIX_EDIT_NOT_RUN                                                                    \
    "I don't run edited commands again. If you meant the new version, send it as a new message."
/* ---------------------------------------------------------------- others fill in (issue 15) */
/* task kinds */
#define MSG_KIND_BAD                                                                               \
    "A kind is a word or two of your group's own, up to 24 letters, like kind:driving or "        \
    "kind:\"pharmacy run\"."
#define MSG_KIND_BAD_YESNO "rotate: and teach: take yes or no."
#define MSG_KIND_ROTATE_NEEDS_REPEAT "rotate:yes goes with a repeat, like repeat:weekly rotate:yes."
#define MSG_KIND_SAID " It's a %s task."
#define MSG_KIND_ROTATES " Each new one is offered round the group in turn."
#define MSG_KIND_TEACHES " Whoever takes it is happy to show someone how."
/* "That's three driving tasks this week." after the nudge */
#define MSG_KIND_NUDGE_COUNT " That's %s %s tasks this week."

/* backups: a timed task that lost a person close to its time */
#define MSG_BACKUP_INVITE                                                                          \
    "A task coming up soon needs help, and you have room this week: %s. Would you like it? " \
    "It's fine if not."
/* after an invitation for a task with a kind, to someone not yet a standing backup for it */
#define MSG_BACKUP_INVITE_HINT " If you'd like to be asked first for %s tasks, " TEND_CMD "backup %s on."
#define MSG_BACKUP_PUBLIC "%s needs help. " TEND_CMD "claim %d if you have room."
#define MSG_BACKUP_BTN_CLAIM "Claim"
#define MSG_BACKUP_BTN_PASS "Not this time"
#define MSG_BACKUP_USAGE_KIND "Which kind? Like " TEND_CMD "backup driving on."
#define MSG_BACKUP_ON                                                                              \
    "Thanks! When a %s task loses a person close to its time, I'll ask you first, as long as you "   \
    "have room. " TEND_CMD "backup %s off stops it."
#define MSG_BACKUP_OFF "Done: I won't ask you first for %s tasks any more."
#define MSG_BACKUP_NONE                                                                            \
    "You're not a standing backup for anything. " TEND_CMD "backup driving on (or any kind) and " \
    "I'll ask you first when one needs help."
#define MSG_BACKUP_LIST "You're a standing backup for: %s. " TEND_CMD "backup <kind> off stops one."
#define MSG_BACKUP_COVERED "#%d is covered now. Thank you for having room; nothing more needed."
#define MSG_BACKUP_ON_OFF "Say on or off, like " TEND_CMD "backup driving on."

/* offers: "not this time" */
#define MSG_PASS_NOTHING "There's nothing of #%d waiting on your answer. All good."
#define MSG_PASS_THANKS "No problem at all, thanks for letting me know."

/* rotation */
#define MSG_ROTATION_OFFER                                                                         \
    "It's your turn for this one, if you'd like it: %s. Accept, or pass and I'll ask someone "    \
    "else; no reason needed."
#define MSG_ROTATION_LEARNED_OFFER                                                                 \
    "You learned this one last time, so you're among the first I ask: %s. Would you like it?"
#define MSG_ROTATION_BTN_ACCEPT "Accept"
#define MSG_ROTATION_BTN_PASS "Pass"
#define MSG_ROTATION_OPEN "The next one is open to anyone: %s"

/* learning together */
#define MSG_LEARN_JOINED                                                                           \
    "You're learning #%d %s alongside whoever does it. It takes no slot, and it's fine to just "  \
    "watch."
#define MSG_LEARN_JOINED_WITH " You'll be with %s."
#define MSG_LEARN_TELL_TEACHER                                                                     \
    "%s would like to learn #%d %s alongside you. Thank you for showing them how it goes."
#define MSG_LEARN_ALREADY "You're already learning #%d. Thank you for wanting to!"
#define MSG_LEARN_HOLDER "You already hold #%d, so you're the one showing how. Thank you!"
#define MSG_LEARN_THANKS_LEARNER                                                                   \
    "Thank you for learning #%d %s! Next time it comes back, you're among the first I'll ask."
#define MSG_LEARN_THANKS_LEARNER_ONCE "Thank you for learning #%d %s! Now you know how it goes."
#define MSG_LEARN_THANKS_TEACHER "Thank you for showing someone how #%d %s goes. That's how a group grows."
#define MSG_LEARN_LIST_HEAD "Tasks someone is happy to teach:\n"
#define MSG_LEARN_LIST_LINE "- %s\n"
#define MSG_LEARN_LIST_HINT TEND_CMD "claim <task> learn to join one as a learner, without taking a slot."
#define MSG_LEARN_LIST_NONE                                                                        \
    "Nothing is marked for learning right now. Whoever posts a task can add teach:yes, and anyone " \
    "can " TEND_CMD "claim <task> learn."
#define MSG_LEARN_DIGEST "%d people learned a new task this month. Lovely to see the circle grow."

/* Telegram, held for a member who had not opened the private chat: a file too big to keep (sent as
 * is, so no TEND_CMD in it). */
#define MSG_TELEGRAM_FILE_NOT_KEPT                                                                 \
    "Your file %s was too big for me to keep until you opened our chat. Ask me for it again here " \
    "and it'll come right away."

/* ---------------------------------------------------------------- languages (issue 18) */
/* Each catalogue's name for its own language: "English" here, "español" in es.po. */
#define MSG_LANGUAGE_SELF "English"
/* An unknown language code: one line, nothing changed. %s: what was typed; %s: the list, like
 * "English (en), español (es)". */
#define MSG_LANGUAGE_UNKNOWN "I don't speak %s yet, so nothing changed. I can use: %s."
/* After the group's settings (MSG_SETUP_SETTINGS). */
#define MSG_SETUP_LANGUAGE "\nLanguage: %s"
/* After a member's profile (MSG_PEOPLE_PROFILE_SHOW). */
#define MSG_PEOPLE_PROFILE_LANGUAGE " Language: %s."
/* A member who never chose: the language they are answered in, and where it comes from. */
#define MSG_PEOPLE_PROFILE_LANGUAGE_GROUP "%s, the group's"
#define MSG_PEOPLE_PROFILE_LANGUAGE_APP "%s, from your app"

/* Dates and times as tasks show them (bot/when.c): "Fri 6 Nov, 18:00", "Friday 6 November at 18:00",
 * "tomorrow at 18:00". MSG_WHEN_DATE: weekday, day of the month, month. A full month name may carry
 * what its language puts before it ("de noviembre"). */
#define MSG_WHEN_DATE "%s %d %s"
#define MSG_WHEN_AT " at "
#define MSG_WHEN_TODAY "today"
#define MSG_WHEN_TOMORROW "tomorrow"
#define MSG_WHEN_SUN "Sun"
#define MSG_WHEN_MON "Mon"
#define MSG_WHEN_TUE "Tue"
#define MSG_WHEN_WED "Wed"
#define MSG_WHEN_THU "Thu"
#define MSG_WHEN_FRI "Fri"
#define MSG_WHEN_SAT "Sat"
#define MSG_WHEN_SUNDAY "Sunday"
#define MSG_WHEN_MONDAY "Monday"
#define MSG_WHEN_TUESDAY "Tuesday"
#define MSG_WHEN_WEDNESDAY "Wednesday"
#define MSG_WHEN_THURSDAY "Thursday"
#define MSG_WHEN_FRIDAY "Friday"
#define MSG_WHEN_SATURDAY "Saturday"
#define MSG_WHEN_JAN "Jan"
#define MSG_WHEN_FEB "Feb"
#define MSG_WHEN_MAR "Mar"
#define MSG_WHEN_APR "Apr"
#define MSG_WHEN_MAY "May" /* the same word as the month's full name: one translation serves both */
#define MSG_WHEN_JUN "Jun"
#define MSG_WHEN_JUL "Jul"
#define MSG_WHEN_AUG "Aug"
#define MSG_WHEN_SEP "Sep"
#define MSG_WHEN_OCT "Oct"
#define MSG_WHEN_NOV "Nov"
#define MSG_WHEN_DEC "Dec"
#define MSG_WHEN_JANUARY "January"
#define MSG_WHEN_FEBRUARY "February"
#define MSG_WHEN_MARCH "March"
#define MSG_WHEN_APRIL "April"
#define MSG_WHEN_JUNE "June"
#define MSG_WHEN_JULY "July"
#define MSG_WHEN_AUGUST "August"
#define MSG_WHEN_SEPTEMBER "September"
#define MSG_WHEN_OCTOBER "October"
#define MSG_WHEN_NOVEMBER "November"
#define MSG_WHEN_DECEMBER "December"
/* How a task repeats, in its line: "(1 of 2 people, Fri 6 Nov, 18:00, weekly)". */
#define MSG_REPEAT_MONTHLY "monthly"
#define MSG_REPEAT_WEEKLY "weekly"
#define MSG_REPEAT_DAILY "daily"
#define MSG_REPEAT_WEEKS_N "every %d week", "every %d weeks"
#define MSG_REPEAT_DAYS_N "every %d day", "every %d days"

/* ---------------------------------------------------------------- words members type (bot/words.h) */
/* After a refusal that names the English words (great, ok, low or out; on or off), for a member who
 * reads another language: the same things in their words, the first of each of their word lists. */
#define MSG_WORDS_TOO " In your language: %s."
/* Examples in the member's language after a refusal of a length of time. Each, between the commas,
 * must read as a length of time with that language's words (test_words checks every .po). */
#define MSG_WORDS_DURATION_EXAMPLES "3 days, a week, 2 weeks"
/* The same for when: (test_words checks each reads as a time in that language). */
#define MSG_WORDS_WHEN_EXAMPLES "fri 18:00, tomorrow 6pm, 3 dec"

/* ---------------------------------------------------------------- issue 18: adapters' words, plain English */
/* Matrix: the %s of MSG_FILE_TOO_BIG when the member's homeserver refused a file. */
#define MSG_MATRIX_THIS_HOMESERVER "this homeserver"
/* language: with nothing after it (/setup, /profile): one line, nothing changed. %s: the list, like
 * "English (en), español (es)". */
#define MSG_LANGUAGE_EMPTY "Which language? Put its code after language:, like language:es. I can use: %s."

/* ---------------------------------------------------------------- issue 18: the reader's words in /help */
/* The four check-in answers, the first word of each of the reader's lists (bot/words.h): "great,
 * ok, low or out", "genial, bien, bajo o agotado". */
#define MSG_WORDS_ENERGY_LIST "%s, %s, %s or %s"
/* /help COMMAND, after the usage, for a member who reads another language: the values the usage
 * names in English, in their words. %s: "genial, bien, bajo, agotado". */
#define MSG_HELP_WORDS "\nIn your language: %s."
/* The same for a named option. The first %s is its name as typed ("when"), the second its words:
 * "In your language, when: vie 18:00, mañana 18h, 3 dic." */
#define MSG_HELP_WORDS_NAMED "\nIn your language, %s: %s."

/* ---- Matrix end-to-end encryption (issue 20) ---- */
/* An encrypted message whose key never reached the bot, after a minute of waiting for it. */
#define MSG_MATRIX_UNDECRYPTABLE                                                                   \
    "I couldn't read a message sent here: its encryption key never reached me. If it was meant " \
    "for me, could you send it again?"

#endif
