<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Url;
use Drupal\faq_manager\FaqRepository;
use Drupal\faq_manager\HelpfulnessTracker;
use Drupal\node\NodeInterface;

/**
 * The FAQ page: every category with its questions and answers.
 *
 * The constructor is autowired by ControllerBase.
 */
final class FaqOverviewController extends ControllerBase {

  /**
   * Constructs a new FaqOverviewController object.
   */
  public function __construct(
    private readonly FaqRepository $faqRepository,
    private readonly HelpfulnessTracker $helpfulnessTracker,
  ) {}

  /**
   * Builds the FAQ page grouped by category.
   */
  public function overview(): array {
    $settings = $this->config('faq_manager.settings');
    $limit = (int) $settings->get('items_per_category');
    $build = [
      '#cache' => [
        'tags' => ['node_list:faq', 'taxonomy_term_list', 'config:faq_manager.settings'],
        'contexts' => ['user.permissions'],
      ],
    ];
    foreach ($this->faqRepository->loadCategories() as $tid => $category) {
      $entries = $this->faqRepository->loadEntries((int) $tid, $limit);
      if ($entries === []) {
        continue;
      }
      $items = [];
      foreach ($entries as $entry) {
        $items[] = $this->buildItem($entry, (bool) $settings->get('enable_voting'), (bool) $settings->get('show_vote_counts'));
      }
      $build[$tid] = [
        '#type' => 'component',
        '#component' => 'faq_manager:faq-category-list',
        '#props' => [
          'title' => $category->label(),
          'count' => count($entries),
          'layout' => $settings->get('layout'),
        ],
        '#slots' => ['items' => $items],
      ];
    }
    $build['ask'] = [
      '#type' => 'link',
      '#title' => $this->t('Did not find your answer? Ask a question.'),
      '#url' => Url::fromRoute('faq_manager.ask'),
      '#access' => $this->currentUser()->hasPermission('ask faq questions'),
    ];
    return $build;
  }

  /**
   * Title callback: the configured FAQ page title.
   */
  public function title(): string {
    return (string) $this->config('faq_manager.settings')->get('overview_title');
  }

  /**
   * Renders one question with its answer and optional vote links.
   */
  private function buildItem(NodeInterface $entry, bool $voting, bool $showCounts): array {
    $score = $this->helpfulnessTracker->score((int) $entry->id());
    $item = [
      '#type' => 'component',
      '#component' => 'faq_manager:faq-item',
      '#props' => [
        'question' => $entry->label(),
        'anchor' => 'faq-' . $entry->id(),
        'helpful_count' => $showCounts ? $score['up'] : NULL,
      ],
      '#slots' => [
        'answer' => $entry->get('body')->view(['label' => 'hidden']),
      ],
    ];
    if ($voting && $this->currentUser()->hasPermission('vote on faq answers')) {
      foreach (['up' => $this->t('Helpful'), 'down' => $this->t('Not helpful')] as $direction => $label) {
        $item['#slots']['actions'][$direction] = [
          '#type' => 'link',
          '#title' => $label,
          '#url' => Url::fromRoute('faq_manager.vote', ['node' => $entry->id(), 'direction' => $direction]),
        ];
      }
    }
    return $item;
  }

}
