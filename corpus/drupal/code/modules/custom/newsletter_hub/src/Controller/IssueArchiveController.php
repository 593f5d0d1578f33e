<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Render\Element;
use Drupal\newsletter_hub\IssueDispatcher;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;

/**
 * Lists the issues sent so far and queues new issues for delivery.
 */
class IssueArchiveController extends ControllerBase {

  public function __construct(
    protected readonly IssueDispatcher $dispatcher,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('newsletter_hub.issue_dispatcher'),
      $container->get('date.formatter'),
    );
  }

  /**
   * Shows every sent issue the visitor may view, newest first.
   */
  public function archive(): array {
    $history = $this->dispatcher->history();
    $issues = $this->entityTypeManager()->getStorage('node')->loadMultiple(array_keys($history));

    $build = [
      '#cache' => ['tags' => ['node_list', 'newsletter_hub:archive']],
    ];
    foreach ($history as $nid => $sent) {
      if (!isset($issues[$nid]) || !$issues[$nid]->access('view')) {
        continue;
      }
      $issue = $issues[$nid];
      $build[$nid] = [
        '#type' => 'component',
        '#component' => 'newsletter_hub:issue-teaser',
        '#props' => [
          'title' => $issue->label(),
          'url' => $issue->toUrl()->toString(),
          'sent' => $this->dateFormatter->format($sent, 'custom', 'F Y'),
          'issue_number' => $issue->hasField('field_issue_number') ? (int) $issue->get('field_issue_number')->value : NULL,
        ],
      ];
    }
    if (!Element::children($build)) {
      $build['empty'] = ['#markup' => $this->t('No issues have been sent yet.')];
    }
    return $build;
  }

  /**
   * Queues a published issue for all confirmed subscribers.
   */
  public function send(NodeInterface $node): RedirectResponse {
    $bundle = $this->config('newsletter_hub.settings')->get('issue_bundle');
    if ($node->bundle() !== $bundle || !$node->isPublished()) {
      $this->messenger()->addError($this->t('Only published issues can be sent.'));
    }
    elseif ($this->dispatcher->sentAt($node)) {
      $this->messenger()->addWarning($this->t('%issue was already sent.', ['%issue' => $node->label()]));
    }
    else {
      $count = $this->dispatcher->dispatch($node);
      $this->messenger()->addStatus($this->formatPlural($count, '%issue is queued for 1 subscriber.', '%issue is queued for @count subscribers.', [
        '%issue' => $node->label(),
      ]));
    }
    return $this->redirect('entity.node.canonical', ['node' => $node->id()]);
  }

}
