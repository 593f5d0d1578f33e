<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\faq_manager\FaqRepository;
use Drupal\faq_manager\HelpfulnessTracker;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Records helpfulness votes and lists the best-rated answers.
 */
final class FaqVoteController extends ControllerBase {

  /**
   * Constructs a new FaqVoteController object.
   */
  public function __construct(
    private readonly HelpfulnessTracker $helpfulnessTracker,
    EntityTypeManagerInterface $entity_type_manager,
  ) {
    $this->entityTypeManager = $entity_type_manager;
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('faq_manager.helpfulness_tracker'),
      $container->get('entity_type.manager'),
    );
  }

  /**
   * Counts a vote and sends the visitor back to the answer.
   */
  public function vote(NodeInterface $node, string $direction): RedirectResponse {
    if ($node->bundle() !== FaqRepository::BUNDLE || !$this->config('faq_manager.settings')->get('enable_voting')) {
      throw new NotFoundHttpException();
    }
    if ($this->helpfulnessTracker->vote((int) $node->id(), $direction === 'up')) {
      $this->messenger()->addStatus($this->t('Thank you for your feedback.'));
    }
    else {
      $this->messenger()->addWarning($this->t('You already voted on this answer today.'));
    }
    return $this->redirect('faq_manager.overview', [], ['fragment' => 'faq-' . $node->id()]);
  }

  /**
   * Lists the answers with the best share of helpful votes.
   */
  public function mostHelpful(): array {
    $ratios = $this->helpfulnessTracker->mostHelpful(10);
    $entries = $this->entityTypeManager->getStorage('node')->loadMultiple(array_keys($ratios));
    $items = [];
    foreach ($ratios as $nid => $ratio) {
      if (isset($entries[$nid]) && $entries[$nid]->access('view')) {
        $items[] = [
          '#type' => 'inline_template',
          '#template' => '{{ link }} <small>{{ share }}</small>',
          '#context' => [
            'link' => $entries[$nid]->toLink()->toRenderable(),
            'share' => $this->t('@percent% found this helpful', ['@percent' => (int) round($ratio * 100)]),
          ],
        ];
      }
    }
    return [
      '#theme' => 'item_list',
      '#list_type' => 'ol',
      '#items' => $items,
      '#empty' => $this->t('Not enough votes have been cast yet.'),
      '#cache' => ['max-age' => 300, 'tags' => ['node_list:faq']],
    ];
  }

}
