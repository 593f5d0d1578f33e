<?php

declare(strict_types=1);

namespace Drupal\event_calendar;

use Drupal\Core\Config\ConfigFactoryInterface;

/**
 * Lays out the days of a month as weeks for the calendar-month component.
 */
class CalendarGridBuilder {

  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * Builds the weeks of a month with the events of each day.
   *
   * @param int $year
   *   The four-digit year.
   * @param int $month
   *   The month, from 1 to 12.
   * @param \Drupal\node\NodeInterface[] $events
   *   The events overlapping the month.
   *
   * @return array<int, array<int, array{day: int|null, events: array}>>
   *   Rows of seven cells; cells outside the month have a NULL day. Each
   *   event is reduced to its title and URL.
   */
  public function build(int $year, int $month, array $events): array {
    $settings = $this->configFactory->get('event_calendar.settings');
    $field = $settings->get('date_field') ?? 'field_event_date';
    $week_start = (int) ($settings->get('week_starts_on') ?? 1);

    $first = new \DateTimeImmutable(sprintf('%04d-%02d-01', $year, $month));
    $days_in_month = (int) $first->format('t');
    $offset = ((int) $first->format('w') - $week_start + 7) % 7;

    $cells = array_fill(0, $offset, ['day' => NULL, 'events' => []]);
    for ($day = 1; $day <= $days_in_month; $day++) {
      $date = $first->setDate($year, $month, $day)->format('Y-m-d');
      $cells[] = [
        'day' => $day,
        'events' => array_values(array_map(
          static fn ($event): array => [
            'title' => $event->label(),
            'url' => $event->toUrl()->toString(),
          ],
          array_filter($events, static function ($event) use ($field, $date): bool {
            $range = $event->get($field);
            return substr((string) $range->value, 0, 10) <= $date
              && substr((string) $range->end_value, 0, 10) >= $date;
          }),
        )),
      ];
    }
    while (count($cells) % 7 !== 0) {
      $cells[] = ['day' => NULL, 'events' => []];
    }
    return array_chunk($cells, 7);
  }

}
