<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Routing\RouteMatchInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\Url;

/**
 * Theme registry and help text hooks for the event calendar.
 */
class EventCalendarThemeHooks {

  use StringTranslationTrait;

  /**
   * Implements hook_theme().
   */
  #[Hook('theme')]
  public function theme(): array {
    return [
      'event_calendar_attendee_list' => [
        'variables' => [
          'event' => NULL,
          'attendees' => [],
          'headcount' => 0,
        ],
      ],
    ];
  }

  /**
   * Implements hook_help().
   */
  #[Hook('help')]
  public function help(string $route_name, RouteMatchInterface $route_match): ?string {
    return match ($route_name) {
      'help.page.event_calendar' => '<p>' . $this->t('The Event calendar module shows event content on a <a href=":calendar">monthly calendar</a>, lets visitors RSVP and unpublishes events once they are over.', [
        ':calendar' => Url::fromRoute('event_calendar.month')->toString(),
      ]) . '</p>',
      'event_calendar.settings' => '<p>' . $this->t('Choose the content type and date range field that hold your events.') . '</p>',
      default => NULL,
    };
  }

}
