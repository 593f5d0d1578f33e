<?php

declare(strict_types=1);

namespace Drupal\job_board\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\job_board\JobListingRepository;
use Symfony\Component\HttpFoundation\Request;

/**
 * Lists the open job postings, filterable by employment type.
 *
 * Dependencies are autowired through ControllerBase's AutowireTrait.
 */
final class JobListingController extends ControllerBase {

  private const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'contract'];

  /**
   * Constructs a new JobListingController object.
   */
  public function __construct(
    private readonly JobListingRepository $jobListings,
    private readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * Builds the public job listing page.
   */
  public function listing(Request $request): array {
    $type = $request->query->get('type');
    if (!in_array($type, self::EMPLOYMENT_TYPES, TRUE)) {
      $type = NULL;
    }
    $page_size = (int) $this->config('job_board.settings')->get('listing_page_size');

    $build = [
      '#cache' => [
        'contexts' => ['url.query_args:type'],
        'tags' => ['node_list', 'config:job_board.settings'],
      ],
    ];
    $build['summary'] = $this->typeSummary();
    $build['jobs'] = [];
    foreach ($this->jobListings->loadOpen($page_size ?: 20, $type) as $node) {
      $closing = strtotime((string) $node->get('field_closing_date')->value);
      $build['jobs'][$node->id()] = [
        '#type' => 'component',
        '#component' => 'job_board:job-card',
        '#props' => [
          'title' => $node->label(),
          'url' => $node->toUrl()->toString(),
          'company' => $node->get('field_company')->value,
          'location' => $node->get('field_location')->value,
          'closing_date' => $closing ? $this->dateFormatter->format($closing, 'custom', 'j F Y') : '',
        ],
      ];
    }
    if ($build['jobs'] === []) {
      $build['jobs']['#markup'] = $this->t('No open positions match your selection.');
    }
    return $build;
  }

  /**
   * Renders the number of open postings per employment type.
   */
  private function typeSummary(): array {
    $items = [];
    foreach ($this->jobListings->countOpenByEmploymentType() as $type => $count) {
      $items[] = $this->formatPlural($count, '@type: 1 opening', '@type: @count openings', [
        '@type' => str_replace('_', ' ', ucfirst($type)),
      ]);
    }
    return ['#theme' => 'item_list', '#items' => $items];
  }

}
