<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\course_catalog\CourseCatalogQuery;
use Drupal\course_catalog\EnrollmentManagerInterface;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\Request;

/**
 * The public course catalog, optionally narrowed to one category.
 */
class CatalogController extends ControllerBase {

  public function __construct(
    protected readonly CourseCatalogQuery $catalogQuery,
    protected readonly EnrollmentManagerInterface $enrollments,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('course_catalog.query'),
      $container->get('course_catalog.enrollment_manager'),
      $container->get('date.formatter'),
    );
  }

  /**
   * Lists upcoming courses as cards, with a pager.
   */
  public function listing(Request $request): array {
    $category = $request->query->getInt('category') ?: NULL;
    $settings = $this->config('course_catalog.settings');

    $cards = [];
    foreach ($this->catalogQuery->catalogPage($category) as $course) {
      $status = $this->enrollments->status($course);
      if ($status === EnrollmentManagerInterface::STATUS_FULL && !$settings->get('show_full_courses')) {
        continue;
      }
      $cards[$course->id()] = $this->card($course, $status, (bool) $settings->get('display.show_seats'));
    }

    return [
      'courses' => [
        '#type' => 'container',
        '#attributes' => ['class' => ['course-catalog', 'course-catalog--' . $settings->get('display.layout')]],
        'cards' => $cards ?: ['#markup' => $this->t('No courses are scheduled at the moment.')],
      ],
      'pager' => ['#type' => 'pager'],
      '#cache' => [
        'contexts' => ['url.query_args:category', 'url.query_args.pagers:0'],
        'tags' => ['node_list:course', 'config:course_catalog.settings'],
        'max-age' => 3600,
      ],
    ];
  }

  /**
   * Builds the card of one course.
   */
  protected function card(NodeInterface $course, string $status, bool $show_seats): array {
    $start = $course->get('field_start_date')->date;
    return [
      '#type' => 'component',
      '#component' => 'course_catalog:course-card',
      '#props' => [
        'title' => $course->label(),
        'url' => $course->toUrl()->toString(),
        'code' => $course->get('field_course_code')->value ?? '',
        'start_date' => $start ? $this->dateFormatter->format($start->getTimestamp(), 'long') : '',
        'duration' => $this->formatDuration((int) $course->get('field_duration')->value),
        'status' => $status,
        'seats_remaining' => $show_seats ? $this->enrollments->seatsRemaining($course) : NULL,
      ],
      '#cache' => ['tags' => $course->getCacheTags()],
    ];
  }

  /**
   * Formats a duration in minutes, such as "2 h 30 min".
   */
  protected function formatDuration(int $minutes): string {
    if ($minutes <= 0) {
      return '';
    }
    return (string) $this->t('@hours h @minutes min', [
      '@hours' => intdiv($minutes, 60),
      '@minutes' => $minutes % 60,
    ]);
  }

}
