<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Form;

use Drupal\Core\Flood\FloodInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Mail\MailManagerInterface;
use Drupal\node\NodeInterface;
use Drupal\product_reviews\RatingAggregatorInterface;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Lets visitors report an abusive or off-topic review to the site team.
 */
final class ReportReviewForm extends FormBase {

  /**
   * Reports one visitor may send per hour.
   */
  private const FLOOD_LIMIT = 5;

  /**
   * Constructs a new ReportReviewForm object.
   */
  public function __construct(
    private readonly FloodInterface $flood,
    private readonly MailManagerInterface $mailManager,
    private readonly LoggerInterface $logger,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('flood'),
      $container->get('plugin.manager.mail'),
      $container->get('logger.channel.product_reviews'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'product_reviews_report_review';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state, ?NodeInterface $node = NULL): array {
    if (!$node || $node->bundle() !== RatingAggregatorInterface::REVIEW_BUNDLE) {
      throw new NotFoundHttpException();
    }
    $form_state->set('review', $node);
    $form['reason'] = [
      '#type' => 'radios',
      '#title' => $this->t('What is wrong with the review %title?', ['%title' => $node->label()]),
      '#options' => [
        'spam' => $this->t('Spam or advertising'),
        'abusive' => $this->t('Abusive or offensive language'),
        'off_topic' => $this->t('Not about this product'),
      ],
      '#required' => TRUE,
    ];
    $form['details'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Details'),
      '#rows' => 4,
      '#maxlength' => 1000,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => $this->t('Send report')];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    if (!$this->flood->isAllowed('product_reviews.report', self::FLOOD_LIMIT, 3600)) {
      $form_state->setErrorByName('reason', $this->t('You have sent too many reports. Please try again later.'));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    /** @var \Drupal\node\NodeInterface $review */
    $review = $form_state->get('review');
    $this->flood->register('product_reviews.report', 3600);
    $params = [
      'review' => $review,
      'reason' => $form_state->getValue('reason'),
      'details' => $form_state->getValue('details'),
    ];
    $site_mail = (string) $this->config('system.site')->get('mail');
    $this->mailManager->mail('product_reviews', 'review_report', $site_mail, $review->language()->getId(), $params);
    $this->logger->warning('Review %title was reported as @reason.', ['%title' => $review->label(), '@reason' => $params['reason']]);
    $this->messenger()->addStatus($this->t('Thank you. A moderator will look at this review.'));
    $form_state->setRedirectUrl($review->toUrl());
  }

}
