<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Controller;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Url;
use Drupal\event_calendar\CalendarGridBuilder;
use Drupal\event_calendar\EventRepositoryInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Renders the monthly event calendar with links to the adjacent months.
 */
class CalendarController extends ControllerBase {

  public function __construct(
    protected readonly EventRepositoryInterface $events,
    protected readonly CalendarGridBuilder $gridBuilder,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('event_calendar.event_repository'),
      $container->get('event_calendar.grid_builder'),
      $container->get('datetime.time'),
    );
  }

  /**
   * Builds the calendar of one month, the current one by default.
   */
  public function month(?int $year = NULL, ?int $month = NULL): array {
    [$year, $month] = $this->resolve($year, $month);
    $first = new \DateTimeImmutable(sprintf('%04d-%02d-01', $year, $month));
    $previous = $first->modify('-1 month');
    $next = $first->modify('+1 month');

    return [
      '#type' => 'component',
      '#component' => 'event_calendar:calendar-month',
      '#props' => [
        'heading' => $first->format('F Y'),
        'weekdays' => $this->weekdayLabels(),
        'weeks' => $this->gridBuilder->build($year, $month, $this->events->inMonth($year, $month)),
        'previous_url' => Url::fromRoute('event_calendar.month', [
          'year' => $previous->format('Y'),
          'month' => $previous->format('n'),
        ])->toString(),
        'next_url' => Url::fromRoute('event_calendar.month', [
          'year' => $next->format('Y'),
          'month' => $next->format('n'),
        ])->toString(),
      ],
      '#cache' => [
        'tags' => ['node_list', 'config:event_calendar.settings'],
        'contexts' => ['url.path', 'user.permissions'],
      ],
    ];
  }

  /**
   * Returns the page title for a calendar month.
   */
  public function title(?int $year = NULL, ?int $month = NULL): TranslatableMarkup {
    [$year, $month] = $this->resolve($year, $month);
    return $this->t('Events in @month', [
      '@month' => (new \DateTimeImmutable(sprintf('%04d-%02d-01', $year, $month)))->format('F Y'),
    ]);
  }

  /**
   * Fills in the current year and month when the path leaves them out.
   *
   * @return int[]
   *   The year and the month, clamped to a valid month.
   */
  protected function resolve(?int $year, ?int $month): array {
    $now = $this->time->getRequestTime();
    return [
      $year ?? (int) date('Y', $now),
      min(12, max(1, $month ?? (int) date('n', $now))),
    ];
  }

  /**
   * Returns the short weekday names, starting on the configured day.
   */
  protected function weekdayLabels(): array {
    $names = [
      $this->t('Sun'),
      $this->t('Mon'),
      $this->t('Tue'),
      $this->t('Wed'),
      $this->t('Thu'),
      $this->t('Fri'),
      $this->t('Sat'),
    ];
    $start = (int) $this->config('event_calendar.settings')->get('week_starts_on');
    return array_map('strval', [...array_slice($names, $start), ...array_slice($names, 0, $start)]);
  }

}
